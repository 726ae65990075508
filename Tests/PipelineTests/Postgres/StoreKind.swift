import Foundation
import PostgresTestSupport
import Testing
@testable import Pipeline

/// The checkpoint store implementations the contract tests run against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A fresh, empty store; `open()` opens another handle on the same store (a second instance); `sql` runs a
    /// statement on the store's database as another client would and returns its rows (each value text or nil).
    struct Fresh {
        let store: CheckpointStore
        let open: () throws -> CheckpointStore
        let sql: (String) throws -> [[String?]]
    }

    func fresh(_ name: String) throws -> Fresh {
        switch self {
        case .sqlite:
            let path = Paths.tempDir("contract-\(name)") + "/checkpoint.sqlite"
            return Fresh(store: try SQLiteCheckpointStore(path: path), open: { try SQLiteCheckpointStore(path: path) },
                         sql: { statement in
                             let db = try SQLiteDatabase(path: path)
                             var rows: [[String?]] = []
                             try db.prepare(statement).query { r in rows.append((0..<r.columnCount).map { r.isNull($0) ? nil : r.text($0) }) }
                             return rows
                         })
        case .postgres:
            let url = try PostgresServer.shared.makeDatabase("contract")
            return Fresh(store: try PostgresCheckpointStore(url: url), open: { try PostgresCheckpointStore(url: url) },
                         sql: { statement in try PGConnection(conninfo: url).query(statement).rows })
        }
    }
}

/// Runs blocking store work on a thread of its own, so a call that waits (for a lock, a restarted server) does not
/// hold one of the few threads of the cooperative pool that the test itself needs to go on.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}
