/// The `dedup_keys` table: one row per key with its commit time, in a B-tree. The layout of stores created
/// before key runs, and still selectable (`DedupKeyStorage.table`) for comparison benchmarks.
///
/// With key runs, a store that still holds rows here keeps looking them up (read-only) until pruning has removed
/// the last one, so an upgrade loses no dedup history and needs no migration step.
struct LegacyDedupTable {
    private let readDB: SQLiteDatabase
    private var lookupStatements: [Int: SQLiteStatement] = [:]

    init(readDB: SQLiteDatabase) {
        self.readDB = readDB
    }

    /// Whether the table holds any key.
    static func isEmpty(_ db: SQLiteDatabase) throws -> Bool {
        var any = false
        try db.prepare("SELECT EXISTS(SELECT 1 FROM dedup_keys)").query { any = $0.int(0) != 0 }
        return !any
    }

    /// The subset of `keys` stored with `seen_at >= notBefore`, looked up 500 per statement on the read connection.
    mutating func seen(_ keys: [DedupKey], notBefore: Int64) throws -> Set<DedupKey> {
        var seen = Set<DedupKey>()
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + 500, keys.count)]
            let statement = try lookupStatement(count: chunk.count)
            var values: [SQLiteStatement.Value] = chunk.map { .blob($0.bytes) }
            values.append(.int(notBefore))
            try statement.query(values) { row in
                if let key = DedupKey(bytes: row.blob(0)) { seen.insert(key) }
            }
            start += chunk.count
        }
        return seen
    }

    private mutating func lookupStatement(count: Int) throws -> SQLiteStatement {
        if let s = lookupStatements[count] { return s }
        let placeholders = Array(repeating: "?", count: count).joined(separator: ",")
        let s = try readDB.prepare("SELECT key FROM dedup_keys WHERE key IN (\(placeholders)) AND seen_at >= ?")
        lookupStatements[count] = s
        return s
    }

    /// Inside the commit transaction: inserts `keys` stamped `at`; a key stored before `notBefore` (expired, not yet
    /// pruned) is re-stamped.
    /// - Throws: `DedupRace` when a key is stored and live (another writer committed it after the lookup).
    static func insert(_ keys: [DedupKey], at: Int64, notBefore: Int64, db: SQLiteDatabase) throws {
        let insert = try db.prepare("""
            INSERT INTO dedup_keys(key, seen_at) VALUES (?, ?)
            ON CONFLICT(key) DO UPDATE SET seen_at = excluded.seen_at WHERE dedup_keys.seen_at < ?
            """)
        var conflicting = Set<DedupKey>()
        // Sorted inserts walk the key B-tree in order: far fewer page visits than random order.
        for key in keys.sorted() where try insert.run([.blob(key.bytes), .int(at), .int(notBefore)]) == 0 {
            conflicting.insert(key)
        }
        if !conflicting.isEmpty { throw DedupRace(expected: keys.count, conflicting: conflicting) }
    }

    /// Deletes up to `limit` keys older than `olderThan`. Returns how many.
    static func prune(olderThan: Int64, limit: Int, db: SQLiteDatabase) throws -> Int {
        try db.prepare("""
            DELETE FROM dedup_keys WHERE key IN (SELECT key FROM dedup_keys WHERE seen_at < ? ORDER BY seen_at LIMIT ?)
            """).run([.int(olderThan), .int(Int64(limit))])
    }

    static func stats(_ db: SQLiteDatabase) throws -> (count: Int64, oldest: Int64?, newest: Int64?) {
        var out: (Int64, Int64?, Int64?) = (0, nil, nil)
        try db.prepare("SELECT count(*), min(seen_at), max(seen_at) FROM dedup_keys").query { r in
            out = (r.int(0), r.isNull(1) ? nil : r.int(1), r.isNull(2) ? nil : r.int(2))
        }
        return out
    }
}
