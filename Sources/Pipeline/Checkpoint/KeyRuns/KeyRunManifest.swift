/// One key run as the manifest records it.
struct KeyRunRecord: Equatable, Sendable {
    var id: Int64 = 0
    /// File name inside the store's key run directory.
    let file: String
    let bucketStart: Int64
    let bucketEnd: Int64
    /// Unix seconds of the oldest and newest commit whose keys the run holds.
    let minAt: Int64
    let maxAt: Int64
    let keys: Int64
    let bytes: Int64
    let owner: String
    var claimedUntil: Int64 = 0
}

/// The `key_runs` table of the checkpoint database: which run files are live. A run becomes live in the same
/// transaction as the offsets and files of its commit; a file without a row is an orphan (a commit or merge
/// that did not finish) and is deleted. Ids are never reused (AUTOINCREMENT), and since SQLite serializes write
/// transactions a larger id means a later commit.
enum KeyRunManifest {
    static func migrate(_ db: SQLiteDatabase) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS key_runs(
                id INTEGER PRIMARY KEY AUTOINCREMENT, file TEXT NOT NULL UNIQUE,
                bucket_start INTEGER NOT NULL, bucket_end INTEGER NOT NULL,
                min_at INTEGER NOT NULL, max_at INTEGER NOT NULL, keys INTEGER NOT NULL, bytes INTEGER NOT NULL,
                owner TEXT NOT NULL, claimed_until INTEGER NOT NULL DEFAULT 0);
            """)
    }

    /// Changes whenever a run is added (the largest id grows) or removed (the count drops).
    struct Signature: Equatable {
        let count: Int64
        let maxID: Int64
    }

    static func signature(_ db: SQLiteDatabase) throws -> Signature {
        var s = Signature(count: 0, maxID: 0)
        try db.prepare("SELECT count(*), coalesce(max(id), 0) FROM key_runs").query { s = Signature(count: $0.int(0), maxID: $0.int(1)) }
        return s
    }

    static let columns = "id, file, bucket_start, bucket_end, min_at, max_at, keys, bytes, owner, claimed_until"

    /// All runs (one statement: a consistent snapshot).
    static func all(_ db: SQLiteDatabase) throws -> [KeyRunRecord] {
        try select(db, "SELECT \(columns) FROM key_runs ORDER BY id", [])
    }

    static func select(_ db: SQLiteDatabase, _ sql: String, _ values: [SQLiteStatement.Value]) throws -> [KeyRunRecord] {
        var out: [KeyRunRecord] = []
        try db.prepare(sql).query(values) { r in
            out.append(KeyRunRecord(id: r.int(0), file: r.text(1), bucketStart: r.int(2), bucketEnd: r.int(3), minAt: r.int(4),
                                    maxAt: r.int(5), keys: r.int(6), bytes: r.int(7), owner: r.text(8), claimedUntil: r.int(9)))
        }
        return out
    }

    /// Inserts `record` (its id is ignored). Returns the new id.
    static func insert(_ record: KeyRunRecord, _ db: SQLiteDatabase) throws -> Int64 {
        try db.prepare("""
            INSERT INTO key_runs(file, bucket_start, bucket_end, min_at, max_at, keys, bytes, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).run([.text(record.file), .int(record.bucketStart), .int(record.bucketEnd), .int(record.minAt), .int(record.maxAt),
                      .int(record.keys), .int(record.bytes), .text(record.owner)])
        return SQLiteCheckpointSchema.lastInsertRowID(db)
    }

    /// Deletes the rows of `ids`. Returns how many existed.
    static func remove(_ ids: [Int64], _ db: SQLiteDatabase) throws -> Int {
        let s = try db.prepare("DELETE FROM key_runs WHERE id = ?")
        return try ids.reduce(0) { $0 + (try s.run([.int($1)])) }
    }

    /// Claims `ids` for a merge until `until` if none is claimed at `now`. Returns false (claiming nothing) otherwise.
    static func claim(_ ids: [Int64], until: Int64, now: Int64, _ db: SQLiteDatabase) throws -> Bool {
        do {
            try db.transaction {
                let s = try db.prepare("UPDATE key_runs SET claimed_until = ? WHERE id = ? AND claimed_until <= ?")
                for id in ids where try s.run([.int(until), .int(id), .int(now)]) != 1 { throw ClaimLost() }
            }
            return true
        } catch is ClaimLost {
            return false
        }
    }

    private struct ClaimLost: Error {}
}
