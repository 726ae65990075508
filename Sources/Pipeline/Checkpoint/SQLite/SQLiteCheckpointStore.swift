import Foundation

/// Where a `SQLiteCheckpointStore` keeps its dedup keys.
public enum DedupKeyStorage: Sendable {
    /// Time-bucketed immutable key runs beside the database (`<store>.keys/`), listed in its `key_runs` table:
    /// lookup and commit costs that barely grow with the keys stored, expiry by deleting whole runs. The default.
    case keyRuns
    /// One `dedup_keys` table row per key (the layout before key runs): every commit's random keys dirty pages
    /// all over a B-tree that grows with the keys stored. Kept for comparison benchmarks.
    case table
}

/// The default checkpoint store: one SQLite database in the lake's state directory (`_weir/checkpoint.sqlite`),
/// and its dedup key runs in `_weir/checkpoint.keys/` (`KeyRunStore`).
///
/// WAL mode with `synchronous=FULL`: a commit returns only once it is durable, and readers (`weir checkpoint
/// stats`, other instances) never block the writer. Several processes on one host may share it; SQLite
/// serializes their transactions. A commit's dedup keys are written as one sorted run file before its
/// transaction and listed in the manifest inside it, with the offsets and files. Keys stored by an older Weir in
/// the `dedup_keys` table are still looked up until pruning has removed them.
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
    let selectOffset: SQLiteStatement
    private let storage: DedupKeyStorage
    private var legacy: LegacyDedupTable
    /// True while the `dedup_keys` table holds keys (always with `.table`).
    var legacyKeys: Bool
    private let keyRuns: KeyRunStore
    private let merges: KeyRunMergeWorker
    private let upsertOffset: SQLiteStatement

    /// Opens or creates the store at `path` (its directory must exist).
    /// - Parameters:
    ///   - storage: the dedup key layout (default `.keyRuns`).
    ///   - keyBucketSeconds: the time bucket of key runs (default one day): runs merge only within a bucket, and
    ///     a run's file is deleted once its newest key has expired, so expired keys take disk space for up to
    ///     one bucket (lookups ignore them: each key keeps its commit time).
    ///   - busyTimeoutMs: how long, in milliseconds, a store operation waits for another connection's write lock
    ///     before it fails with "database is locked" (default 30,000).
    /// - Throws: `StoreError` when SQLite cannot open or migrate the file, or the key run directory cannot be created.
    public init(path: String, storage: DedupKeyStorage = .keyRuns, keyBucketSeconds: Int64 = 86_400,
                busyTimeoutMs: Int32 = 30_000) throws {
        self.path = path
        self.storage = storage
        db = try SQLiteDatabase(path: path, busyTimeoutMs: busyTimeoutMs)
        try SQLiteCheckpointSchema.migrate(db)
        try KeyRunManifest.migrate(db)
        readDB = try SQLiteDatabase(path: path, cacheKiB: 16_384)
        legacy = LegacyDedupTable(readDB: readDB)
        legacyKeys = storage == .table ? true : !(try LegacyDedupTable.isEmpty(db))
        let owner = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        keyRuns = try KeyRunStore(directory: Self.keyRunDirectory(storePath: path), owner: owner,
                                  buckets: KeyBuckets(width: keyBucketSeconds))
        merges = KeyRunMergeWorker(store: keyRuns, databasePath: path)
        selectOffset = try db.prepare("SELECT next_offset FROM offsets WHERE topic = ? AND partition = ?")
        upsertOffset = try db.prepare("""
            INSERT INTO offsets(topic, partition, next_offset, updated_at, last_timestamp_ms, last_value_hash) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at,
                last_timestamp_ms = excluded.last_timestamp_ms, last_value_hash = excluded.last_value_hash
            """)
        // Merges (and the orphan sweep) start with the first commit, not here: `weir checkpoint stats` and other
        // short-lived commands open the store too, and would leave a merge half done when they exit.
    }

    /// The key run directory of the store at `storePath`: `checkpoint.sqlite` → `checkpoint.keys`.
    public static func keyRunDirectory(storePath: String) -> String {
        (storePath as NSString).deletingPathExtension + ".keys"
    }

    /// Waits until the background merges of key runs scheduled so far have finished (benchmarks, tests).
    public func waitForKeyRunMerges() { merges.wait() }

    /// Bytes of key run files written by background merges since this store was opened.
    public var keyRunMergeBytes: Int64 { merges.mergedBytes }

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

    /// The key runs' lookups, numbered as they start (`KeyRunStore.seen`); 0 with the `.table` layout, whose
    /// commits always check every key.
    public var lookupsStarted: Int64 { keyRuns.lookupsStarted }

    public func seenKeys(_ keys: [DedupKey], notBefore: Int64) throws -> Set<DedupKey> {
        readLock.lock()
        defer { readLock.unlock() }
        var seen = storage == .keyRuns ? try keyRuns.seen(keys, notBefore: notBefore, db: readDB) : []
        if legacyKeys { seen.formUnion(try legacy.seen(keys, notBefore: notBefore)) }
        return seen
    }

    public func commit(_ commit: CheckpointCommit) throws -> Int64 {
        // The run file is written and fsynced before the transaction, outside the lock; deleted if it fails.
        let run = storage == .keyRuns ? try keyRuns.prepare(commit.dedupKeys, at: commit.committedAt) : nil
        do {
            let id = try commitTransaction(commit, run: run)
            if run != nil { merges.schedule() }
            return id
        } catch {
            if let run { keyRuns.discard(run) }
            throw error
        }
    }

    private func commitTransaction(_ commit: CheckpointCommit, run: KeyRunStore.PreparedRun?) throws -> Int64 {
        try locked {
            try db.transaction {
                if let owner = commit.ownedBy { try refuseUnlessOwnedInTransaction(Array(commit.offsets.keys), by: owner) }
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
                if let owner = commit.endsDeliveriesOf { try endDeliveriesInTransaction(Array(commit.offsets.keys), owner: owner) }
                if let run {
                    try keyRuns.register(run, notBefore: commit.dedupNotBefore, lookups: commit.keyLookups, db: db)
                } else if storage == .table {
                    try LegacyDedupTable.insert(commit.dedupKeys, at: commit.committedAt, notBefore: commit.dedupNotBefore, db: db)
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
            if let catalogTable = update.catalogTable { try moveCatalogRow(catalogTable, update) }
        }
    }

    /// Compare-and-set of the SQL catalog's row (`iceberg_tables`), so a reader opening the table through the
    /// catalog sees the new metadata from the moment the transaction commits; another catalog client that moved the
    /// row meanwhile refuses the commit like a moved pointer.
    private func moveCatalogRow(_ t: CatalogTableName, _ update: TablePointerUpdate) throws {
        let key: [SQLiteStatement.Value] = [.text(t.catalogName), .text(t.namespace), .text(t.name)]
        var found: String?
        try db.prepare("""
            SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?
            """).query(key) { found = $0.isNull(0) ? nil : $0.text(0) }
        guard found == update.expected else {
            throw TablePointerConflict(table: update.table, expected: update.expected, found: found)
        }
        if found == nil {
            try db.prepare("""
                INSERT INTO iceberg_tables(catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type)
                VALUES (?, ?, ?, ?, NULL, 'TABLE')
                ON CONFLICT(catalog_name, table_namespace, table_name) DO UPDATE SET metadata_location = excluded.metadata_location
                """).run(key + [.text(update.new)])
            try db.prepare("""
                INSERT INTO iceberg_namespace_properties(catalog_name, namespace, property_key, property_value) VALUES (?, ?, 'exists', 'true')
                ON CONFLICT(catalog_name, namespace, property_key) DO NOTHING
                """).run([.text(t.catalogName), .text(t.namespace)])
        } else {
            try db.prepare("""
                UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ?
                WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?
                """).run([.text(update.new), .text(found!)] + key)
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

    /// Drops expired dedup keys. Key runs go whole (every run whose newest commit is older than `olderThan`,
    /// however many keys: `limit` does not apply to them); keys of the `dedup_keys` table go up to `limit` per call.
    /// Returns how many keys were removed.
    public func pruneKeys(olderThan: Int64, limit: Int) throws -> Int {
        try locked {
            var removed = storage == .keyRuns ? Int(try keyRuns.expire(olderThan: olderThan, db: db)) : 0
            if legacyKeys {
                removed += try LegacyDedupTable.prune(olderThan: olderThan, limit: limit, db: db)
                if storage == .keyRuns, try LegacyDedupTable.isEmpty(db) {
                    readLock.withLock { legacyKeys = false }
                }
            }
            return removed
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
            let table = try LegacyDedupTable.stats(db)
            let runs = try keyRuns.stats(db)
            var partitions: [SourcePartition: Int64] = [:]
            try db.prepare("SELECT topic, partition, next_offset FROM offsets").query { r in
                partitions[SourcePartition(topic: r.text(0), partition: Int32(r.int(1)))] = r.int(2)
            }
            return CheckpointStats(keyCount: table.count + runs.keys, databaseBytes: databaseBytes(),
                                   oldestKeyAt: [table.oldest, runs.oldest].compactMap { $0 }.min(),
                                   newestKeyAt: [table.newest, runs.newest].compactMap { $0 }.max(),
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

    /// Size of the database, its WAL and its key run files on disk, in bytes; cheap (no query), for the size gauge.
    public func databaseBytes() -> Int64 {
        var bytes: Int64 = 0
        let fm = FileManager.default
        func size(_ p: String) -> Int64 { ((try? fm.attributesOfItem(atPath: p)[.size] as? NSNumber)??.int64Value) ?? 0 }
        for suffix in ["", "-wal"] { bytes += size(path + suffix) }
        for name in (try? fm.contentsOfDirectory(atPath: keyRuns.directory)) ?? [] where name.hasSuffix(".keys") {
            bytes += size(keyRuns.directory + "/" + name)
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
