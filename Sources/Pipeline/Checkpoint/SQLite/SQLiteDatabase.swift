import CSQLite

/// A thin owner of one `sqlite3*` connection. Not thread-safe: one connection per owner, as SQLite wants.
///
/// Ownership: the handle is opened in `init` and closed exactly once in `deinit`. Statements prepared from it
/// must not outlive it.
final class SQLiteDatabase {
    let handle: OpaquePointer
    /// The database file, for error messages and their fix hints.
    let path: String
    /// Waits for other connections' locks up to the busy timeout, and says since when it has been waiting.
    let busy: SQLiteBusyWait

    /// Opens (creating if needed) the database at `path` in WAL mode with `synchronous=FULL`, so a committed
    /// transaction survives power loss, and a busy timeout so concurrent instances wait instead of failing.
    /// - Throws: `StoreError` with SQLite's message.
    /// `configure: false` skips the pragmas that need a lock (a probe connection reading an existing WAL database).
    init(path: String, busyTimeoutMs: Int32 = 30_000, cacheKiB: Int = 32_768, configure: Bool = true) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw StoreError(message: "cannot open \(path): \(message)", isRetriable: false,
                             fix: StoreErrorHint.fix(resultCode: rc, path: path))
        }
        handle = db
        self.path = path
        busy = SQLiteBusyWait(timeoutMs: busyTimeoutMs)
        busy.install(on: db)
        guard configure else { return }
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=FULL")
        // A page cache of `cacheKiB` (default 32 MiB): dedup lookups and inserts touch random pages of a table of
        // millions of keys; pages beyond it come from the OS cache.
        try execute("PRAGMA cache_size=-\(cacheKiB)")
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw failure(rc, message, sql: sql)
        }
    }

    /// Prepares a statement for repeated use.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw failure(rc, "prepare failed: \(lastErrorMessage)", sql: sql)
        }
        return SQLiteStatement(statement: statement, database: self)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// A `StoreError` for result code `rc`: SQLite's message, the whole statement on one line (never cut
    /// mid-statement), whether a retry may help, and what the operator can do about it.
    func failure(_ rc: Int32, _ message: String, sql: String?) -> StoreError {
        let statement = sql.map { " (in: " + $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") + ")" } ?? ""
        let primary = rc & 0xFF
        return StoreError(message: "\(path): \(message)\(statement)", isRetriable: primary == SQLITE_BUSY || primary == SQLITE_LOCKED,
                          fix: StoreErrorHint.fix(resultCode: rc, path: path))
    }
}

/// A prepared statement. Finalized exactly once in `deinit`; reset before each use by `run`/`query`.
final class SQLiteStatement {
    private let statement: OpaquePointer
    private let database: SQLiteDatabase
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(statement: OpaquePointer, database: SQLiteDatabase) {
        self.statement = statement
        self.database = database
    }

    deinit { sqlite3_finalize(statement) }

    /// The statement's SQL text, for error messages.
    var sql: String { sqlite3_sql(statement).map { String(cString: $0) } ?? "" }

    /// A bindable SQLite value.
    enum Value {
        case int(Int64), text(String), blob([UInt8]), null
    }

    private func bind(_ values: [Value]) throws {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .int(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .text(let v): rc = sqlite3_bind_text(statement, index, v, -1, Self.transient)
            case .blob(let v): rc = v.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
            case .null: rc = sqlite3_bind_null(statement, index)
            }
            guard rc == SQLITE_OK else { throw database.failure(rc, "bind failed: \(database.lastErrorMessage)", sql: sql) }
        }
    }

    /// Executes with `values` bound, ignoring any rows. Returns the number of rows changed.
    @discardableResult
    func run(_ values: [Value] = []) throws -> Int {
        try bind(values)
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw database.failure(rc, database.lastErrorMessage, sql: sql)
        }
        return Int(sqlite3_changes(database.handle))
    }

    /// Executes with `values` bound and calls `row` for each result row.
    func query(_ values: [Value] = [], row: (SQLiteRow) throws -> Void) throws {
        try bind(values)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw database.failure(rc, database.lastErrorMessage, sql: sql) }
            try row(SQLiteRow(statement: statement))
        }
    }
}

/// Read access to the current row of a statement; valid only inside the `query` callback.
struct SQLiteRow {
    let statement: OpaquePointer

    /// The number of columns of the result.
    var columnCount: Int32 { sqlite3_column_count(statement) }
    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: p)
    }
    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let p = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}
