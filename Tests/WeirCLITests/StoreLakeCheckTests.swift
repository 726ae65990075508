import Foundation
import Pipeline
import PostgresTestSupport
import Testing
@testable import WeirCLI

/// A store outside the lake serves one lake: a second lake pointed at it stops with the store's key instead of
/// resuming the first lake's offsets and landing nothing (found by a new-user trial with one PostgreSQL database
/// for two lakes: `records 0 / landed 0`, exit 0).
struct StoreLakeCheckTests {
    @Test(arguments: [CrashScenario.Store.sqlite, .postgres])
    func aStoreServesOneLakeWhereverItIsMounted(kind: CrashScenario.Store) throws {
        let dir = try RepoPaths.temporaryDirectory("store-lake")
        defer { RepoPaths.remove(dir) }
        let store: CheckpointStore = kind == .sqlite ? try SQLiteCheckpointStore(path: dir + "/shared.sqlite")
            : try PostgresCheckpointStore(url: try PostgresServer.shared.makeDatabase("storelake"))
        func lake(_ name: String) throws -> POSIXStorage {
            try FileManager.default.createDirectory(atPath: dir + "/" + name + "/_weir", withIntermediateDirectories: true)
            return POSIXStorage(root: dir + "/" + name, lockDirectory: dir + "/" + name)
        }
        let first = try lake("first")
        try StoreLakeCheck.verify(storage: first, store: store, lakeRoot: dir + "/first", storeKey: "checkpoint.url", storeLocation: "db")
        try StoreLakeCheck.verify(storage: first, store: store, lakeRoot: dir + "/first", storeKey: "checkpoint.url", storeLocation: "db")

        let second = try lake("second")
        do {
            try StoreLakeCheck.verify(storage: second, store: store, lakeRoot: dir + "/second", storeKey: "checkpoint.url", storeLocation: "db")
            Issue.record("a second lake was accepted by the first lake's store")
        } catch let error as ConfigError {
            #expect(error.key == "checkpoint.url")
            #expect("\(error)".contains("serves another lake"), "\(error)")
        }

        // The first lake seen at another path (another host's mount): same id, accepted.
        try FileManager.default.copyItem(atPath: dir + "/first", toPath: dir + "/mounted")
        let mounted = POSIXStorage(root: dir + "/mounted", lockDirectory: dir + "/mounted")
        try StoreLakeCheck.verify(storage: mounted, store: store, lakeRoot: dir + "/mounted", storeKey: "checkpoint.url", storeLocation: "db")
    }
}
