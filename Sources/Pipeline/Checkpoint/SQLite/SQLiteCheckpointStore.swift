import Foundation

/// The default checkpoint store: one SQLite database in the lake's state directory (`_weir/checkpoint.sqlite`).
///
/// WAL mode with `synchronous=FULL`: a commit returns only once it is durable, and readers (`weir checkpoint
/// stats`, other instances) never block the writer. Several processes on one host may share it; SQLite
/// serializes their transactions. Dedup keys are looked up in batches of up to 500 per statement and inserted
/// with one prepared statement inside the commit transaction, never a connection per event.
public final class SQLiteCheckpointStore: CheckpointStore, @unchecked Sendable {
    let lock = NSLock()
    let db: SQLiteDatabase
    /// A second connection for dedup lookups, so they read the last committed state (WAL) instead of waiting
    /// behind a commit transaction of the same process.
    private let readLock = NSLock()
    private let readDB: SQLiteDatabase
    let path: String
    /// A third connection, opened on first use, for health probes: it never waits behind this process's commits
    /// and gives up after `probeTimeoutMs` when another process holds the database locked.
    private let probeLock = NSLock()
    private var probeDB: SQLiteDatabase?
    /// Since when this process has been inside a store operation (`locked`), nil when it is not.
    private let busySince = Guarded<ContinuousClock.Instant?>(nil)
    private var lookupStatements: [Int: SQLiteStatement] = [:]
    private let insertKey: SQLiteStatement
    let selectOffset: SQLiteStatement
    private let upsertOffset: SQLiteStatement

    /// Opens or creates the store at `path` (its directory must exist).
    /// - Throws: `StoreError` when SQLite cannot open or migrate the file.
    public init(path: String) throws {
        self.path = path
        db = try SQLiteDatabase(path: path)
        try SQLiteCheckpointSchema.migrate(db)
        readDB = try SQLiteDatabase(path: path, cacheKiB: 16_384)
        // An expired key (older than the commit's TTL cut-off, not yet pruned) is re-stamped and counts as inserted.
        insertKey = try db.prepare("""
            INSERT INTO dedup_keys(key, seen_at) VALUES (?, ?)
            ON CONFLICT(key) DO UPDATE SET seen_at = excluded.seen_at WHERE dedup_keys.seen_at < ?
            """)
        selectOffset = try db.prepare("SELECT next_offset FROM offsets WHERE topic = ? AND partition = ?")
        upsertOffset = try db.prepare("""
            INSERT INTO offsets(topic, partition, next_offset, updated_at, last_timestamp_ms, last_value_hash) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at,
                last_timestamp_ms = excluded.last_timestamp_ms, last_value_hash = excluded.last_value_hash
            """)
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        busySince.withLock { $0 = .now }
        defer {
            db.busy.reset()
            busySince.withLock { $0 = nil }
            lock.unlock()
        }
        return try body()
    }

    public func storedOffsets(_ partitions: [SourcePartition]) throws -> [SourcePartition: Int64] {
        try locked {
            var result: [SourcePartition: Int64] = [:]
            for p in partitions {
                try selectOffset.query([.text(p.topic), .int(Int64(p.partition))]) { result[p] = $0.int(0) }
            }
            return result
        }
    }

    public func seenKeys(_ keys: [DedupKey], notBefore: Int64) throws -> Set<DedupKey> {
        readLock.lock()
        defer { readLock.unlock() }
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

    private func lookupStatement(count: Int) throws -> SQLiteStatement {
        if let s = lookupStatements[count] { return s }
        let placeholders = Array(repeating: "?", count: count).joined(separator: ",")
        let s = try readDB.prepare("SELECT key FROM dedup_keys WHERE key IN (\(placeholders)) AND seen_at >= ?")
        lookupStatements[count] = s
        return s
    }

    public func commit(_ commit: CheckpointCommit) throws -> Int64 {
        try locked {
            try db.transaction {
                for (partition, advance) in commit.offsets.sorted(by: { $0.key < $1.key }) {
                    var found: Int64?
                    try selectOffset.query([.text(partition.topic), .int(Int64(partition.partition))]) { found = $0.int(0) }
                    guard found == advance.expected else {
                        throw OffsetConflict(topic: partition.topic, partition: partition.partition, expected: advance.expected, found: found)
                    }
                    let fingerprint = advance.fingerprint
                    try upsertOffset.run([.text(partition.topic), .int(Int64(partition.partition)), .int(advance.next), .int(commit.committedAt),
                                          fingerprint?.timestampMs.map { .int($0) } ?? .null,
                                          fingerprint.map { .int(Int64(bitPattern: $0.valueHash)) } ?? .null])
                }
                try moveTablePointers(commit.tablePointers, at: commit.committedAt)
                var conflicting = Set<DedupKey>()
                // Sorted inserts walk the key B-tree in order: far fewer page visits than random order.
                for key in commit.dedupKeys.sorted()
                where try insertKey.run([.blob(key.bytes), .int(commit.committedAt), .int(commit.dedupNotBefore)]) == 0 {
                    conflicting.insert(key)
                }
                if !conflicting.isEmpty {
                    throw DedupRace(expected: commit.dedupKeys.count, conflicting: conflicting)
                }
                try db.prepare("INSERT INTO commits(committed_at, owner) VALUES (?, ?)").run([.int(commit.committedAt), .text(commit.owner)])
                let commitID = Int64(sqlite3LastInsertRowID())
                let insertFile = try db.prepare("""
                    INSERT INTO files(final_path, staging_path, hive_partition, commit_id, owner, state, rows, bytes)
                    VALUES (?, ?, ?, ?, ?, 'committed', ?, ?)
                    """)
                for f in commit.files {
                    try insertFile.run([.text(f.finalPath), .text(f.stagingPath), .text(f.hivePartition), .int(commitID),
                                        .text(commit.owner), .int(f.rows), .int(f.bytes)])
                }
                let upsertMark = try db.prepare("""
                    INSERT INTO dlq_marks(source_topic, source_partition, dlq_topic, dlq_partition, scan_from) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(source_topic, source_partition, dlq_topic, dlq_partition) DO UPDATE SET scan_from = excluded.scan_from
                    """)
                for (source, marks) in commit.deadLetterMarks {
                    for m in marks {
                        try upsertMark.run([.text(source.topic), .int(Int64(source.partition)), .text(m.dlqTopic),
                                            .int(Int64(m.dlqPartition)), .int(m.scanFrom)])
                    }
                }
                let addTotal = try db.prepare("""
                    INSERT INTO totals(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value
                    """)
                for (name, delta) in commit.totals where delta != 0 { try addTotal.run([.text(name), .int(delta)]) }
                return commitID
            }
        }
    }

    private func sqlite3LastInsertRowID() -> Int64 { SQLiteCheckpointSchema.lastInsertRowID(db) }

    /// Compare-and-set of each table pointer, inside the commit transaction.
    private func moveTablePointers(_ updates: [TablePointerUpdate], at committedAt: Int64) throws {
        guard !updates.isEmpty else { return }
        let select = try db.prepare("SELECT location FROM table_pointers WHERE table_name = ?")
        let upsert = try db.prepare("""
            INSERT INTO table_pointers(table_name, location, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(table_name) DO UPDATE SET location = excluded.location, updated_at = excluded.updated_at
            """)
        for update in updates {
            var found: String?
            try select.query([.text(update.table)]) { found = $0.text(0) }
            guard found == update.expected else {
                throw TablePointerConflict(table: update.table, expected: update.expected, found: found)
            }
            try upsert.run([.text(update.table), .text(update.new), .int(committedAt)])
        }
    }

    public func tablePointer(_ table: String) throws -> String? {
        try locked {
            var found: String?
            try db.prepare("SELECT location FROM table_pointers WHERE table_name = ?").query([.text(table)]) { found = $0.text(0) }
            return found
        }
    }

    public func unpublishedFiles() throws -> [UnpublishedFile] {
        try locked {
            var out: [UnpublishedFile] = []
            try db.prepare("""
                SELECT commit_id, owner, staging_path, final_path, hive_partition, rows, bytes FROM files WHERE state = 'committed'
                """).query { r in
                out.append(UnpublishedFile(commitID: r.int(0), owner: r.text(1), file: StagedFile(
                    stagingPath: r.text(2), finalPath: r.text(3), hivePartition: r.text(4), rows: r.int(5), bytes: r.int(6))))
            }
            return out
        }
    }

    public func markPublished(commitIDs: [Int64]) throws {
        guard !commitIDs.isEmpty else { return }
        try locked {
            try db.transaction {
                let s = try db.prepare("UPDATE files SET state = 'published' WHERE commit_id = ? AND state = 'committed'")
                for id in commitIDs { try s.run([.int(id)]) }
            }
        }
    }

    public func deadLetterMarks(for partition: SourcePartition) throws -> [DeadLetterMark] {
        try locked {
            var out: [DeadLetterMark] = []
            try db.prepare("SELECT dlq_topic, dlq_partition, scan_from FROM dlq_marks WHERE source_topic = ? AND source_partition = ?")
                .query([.text(partition.topic), .int(Int64(partition.partition))]) { r in
                    out.append(DeadLetterMark(dlqTopic: r.text(0), dlqPartition: Int32(r.int(1)), scanFrom: r.int(2)))
                }
            return out
        }
    }

    public func recordDeadLetterMarks(_ marks: [DeadLetterMark], for partition: SourcePartition) throws {
        try locked {
            try db.transaction {
                let upsert = try db.prepare("""
                    INSERT INTO dlq_marks(source_topic, source_partition, dlq_topic, dlq_partition, scan_from) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(source_topic, source_partition, dlq_topic, dlq_partition)
                    DO UPDATE SET scan_from = min(scan_from, excluded.scan_from)
                    """)
                for m in marks {
                    try upsert.run([.text(partition.topic), .int(Int64(partition.partition)), .text(m.dlqTopic),
                                    .int(Int64(m.dlqPartition)), .int(m.scanFrom)])
                }
            }
        }
    }

    public func pruneKeys(olderThan: Int64, limit: Int) throws -> Int {
        try locked {
            try db.prepare("""
                DELETE FROM dedup_keys WHERE key IN (SELECT key FROM dedup_keys WHERE seen_at < ? ORDER BY seen_at LIMIT ?)
                """).run([.int(olderThan), .int(Int64(limit))])
        }
    }

    public func totals() throws -> [String: Int64] {
        try locked {
            var out: [String: Int64] = [:]
            try db.prepare("SELECT name, value FROM totals").query { out[$0.text(0)] = $0.int(1) }
            return out
        }
    }

    public func stats() throws -> CheckpointStats {
        let totals = try totals()
        return try locked {
            var count: Int64 = 0
            var oldest: Int64?, newest: Int64?
            try db.prepare("SELECT count(*), min(seen_at), max(seen_at) FROM dedup_keys").query { r in
                count = r.int(0)
                oldest = r.isNull(1) ? nil : r.int(1)
                newest = r.isNull(2) ? nil : r.int(2)
            }
            var partitions: [SourcePartition: Int64] = [:]
            try db.prepare("SELECT topic, partition, next_offset FROM offsets").query { r in
                partitions[SourcePartition(topic: r.text(0), partition: Int32(r.int(1)))] = r.int(2)
            }
            return CheckpointStats(keyCount: count, databaseBytes: databaseBytes(), oldestKeyAt: oldest, newestKeyAt: newest,
                                   partitions: partitions, totals: totals)
        }
    }

    /// Whether the store answers: whether a write transaction can begin within about `timeoutMs` milliseconds
    /// (SQLite's busy timeout). False while another process holds the database's write lock (an exclusive
    /// transaction), or it cannot be opened at all. While this process is itself inside a store operation, the
    /// store answers unless that operation has been waiting for another connection's lock for `timeoutMs` or
    /// longer, or has lasted longer than `ownOperationLimit` in all (a stalled disk). The probe begins and rolls
    /// back an empty transaction on its own connection; it never writes.
    /// Blocks up to the timeout: call it off the cooperative pool and off any HTTP event loop.
    public func answers(timeoutMs: Int32 = 500, ownOperationLimit: Duration = .seconds(30)) -> Bool {
        probeLock.lock()
        defer { probeLock.unlock() }
        guard lock.try() else {
            if let waiting = db.busy.waiting, waiting >= .milliseconds(Int64(timeoutMs)) { return false }
            let since = busySince.withLock { $0 }
            return since.map { ContinuousClock.now - $0 <= ownOperationLimit } ?? true
        }
        defer { lock.unlock() }
        do {
            if probeDB == nil { probeDB = try SQLiteDatabase(path: path, busyTimeoutMs: timeoutMs, cacheKiB: 256, configure: false) }
            try probeDB!.execute("BEGIN IMMEDIATE")
            try probeDB!.execute("ROLLBACK")
            return true
        } catch {
            probeDB = nil  // closing the connection ends whatever it had begun
            return false
        }
    }

    /// Size of the database and its WAL on disk, in bytes; cheap (no query), for the size gauge.
    public func databaseBytes() -> Int64 {
        var bytes: Int64 = 0
        for suffix in ["", "-wal"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)??.int64Value
            bytes += size ?? 0
        }
        return bytes
    }

    public func replaceFiles(removing: [String], adding: [StagedFile], owner: String) throws -> Int64 {
        try locked {
            try db.transaction {
                try db.prepare("INSERT INTO commits(committed_at, owner) VALUES (?, ?)").run([.int(Int64(Date().timeIntervalSince1970)), .text(owner)])
                let commitID = SQLiteCheckpointSchema.lastInsertRowID(db)
                let remove = try db.prepare("UPDATE files SET state = 'removed' WHERE final_path = ? AND state = 'published'")
                for path in removing {
                    guard try remove.run([.text(path)]) == 1 else {
                        throw StoreError(message: "file \(path) is not a published lake file", isRetriable: false)
                    }
                }
                let insertFile = try db.prepare("""
                    INSERT INTO files(final_path, staging_path, hive_partition, commit_id, owner, state, rows, bytes)
                    VALUES (?, ?, ?, ?, ?, 'committed', ?, ?)
                    """)
                for f in adding {
                    try insertFile.run([.text(f.finalPath), .text(f.stagingPath), .text(f.hivePartition), .int(commitID),
                                        .text(owner), .int(f.rows), .int(f.bytes)])
                }
                return commitID
            }
        }
    }

    public func publishedFiles(hivePartition: String) throws -> [StagedFile] {
        try locked {
            var out: [StagedFile] = []
            try db.prepare("""
                SELECT staging_path, final_path, hive_partition, rows, bytes FROM files WHERE state = 'published' AND hive_partition = ?
                ORDER BY final_path
                """).query([.text(hivePartition)]) { r in
                out.append(StagedFile(stagingPath: r.text(0), finalPath: r.text(1), hivePartition: r.text(2), rows: r.int(3), bytes: r.int(4)))
            }
            return out
        }
    }
}

/// A value behind a lock.
final class Guarded<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
