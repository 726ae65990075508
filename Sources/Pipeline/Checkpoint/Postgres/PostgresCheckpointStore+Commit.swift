import Foundation

/// The commit transaction.
extension PostgresCheckpointStore {
    /// Makes a commit durable in one transaction. When the connection is lost before the outcome is known, the
    /// store reconnects and looks for the commit's token: found, the commit happened and its id is returned;
    /// absent, the transaction rolled back and runs again (its compare-and-sets still hold).
    public func commit(_ commit: CheckpointCommit) throws -> Int64 {
        let token = UUID().uuidString.lowercased()
        var attempted = false
        return try withStore("commit") { conn in
            if attempted, let id = try conn.query("SELECT id FROM commits WHERE token = $1", [token]).scalar.flatMap(Int64.init) {
                logger?.notice("the commit interrupted by the lost connection had been applied", metadata: ["commit": "\(id)"])
                return id
            }
            attempted = true
            if !commit.dedupKeys.isEmpty {
                let day = DedupKeyPartitions.day(of: commit.committedAt)
                try ensurePartitions(Array(day...(day + DedupKeyPartitions.daysAhead)), on: conn)
            }
            var keyGeneration: Int64?
            let id: Int64
            do {
                id = try conn.transaction { try apply(commit, token: token, keyPath: .fast, keyGeneration: &keyGeneration, on: conn) }
            } catch is KeyAlreadyStored {
                id = try conn.transaction { try apply(commit, token: token, keyPath: .general, keyGeneration: &keyGeneration, on: conn) }
            }
            if let keyGeneration { ledger.withLock { $0.recordCommit(generation: keyGeneration) } }
            try afterCommit.withLock { $0 }?()
            return id
        }
    }

    /// The commit's statements, in its transaction. A key already stored throws `KeyAlreadyStored` on the fast
    /// path (the caller runs the transaction again on the general path) and `DedupRace` on the general one.
    /// `keyGeneration` receives the key generation the commit moved to, if it stores keys.
    private func apply(_ commit: CheckpointCommit, token: String, keyPath: KeyCommitPath, keyGeneration: inout Int64?,
                       on conn: PGConnection) throws -> Int64 {
        if !commit.dedupKeys.isEmpty {
            // Keys live in day partitions, so the primary key cannot see the same key committed concurrently on
            // another day: the lock makes each commit's "none of these is stored yet, store them" atomic.
            try conn.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.dedupKeys.sql))")
            // Lookups read no day after the server's clock allows (`DedupKeyPartitions.lastDaySQL`).
            try ClockSkew.check(hostSeconds: commit.committedAt, on: conn, store: location.redacted)
        }
        if let owner = commit.ownedBy { try refuseUnlessOwned(Array(commit.offsets.keys), by: owner, on: conn) }
        try advanceOffsets(commit, on: conn)
        if let owner = commit.endsDeliveriesOf { try endDeliveries(Array(commit.offsets.keys), owner: owner, on: conn) }
        if !commit.dedupKeys.isEmpty { keyGeneration = try storeKeys(commit, path: keyPath, on: conn) }
        for update in commit.tablePointers { try moveTablePointer(update, at: commit.committedAt, on: conn) }
        guard let commitID = try conn.query("INSERT INTO commits(committed_at, owner, token) VALUES ($1, $2, $3) RETURNING id",
                                            [String(commit.committedAt), commit.owner, token]).scalar.flatMap(Int64.init) else {
            throw PGError(message: "INSERT INTO commits returned no id", connectionLost: false)
        }
        try insertFiles(commit.files, commitID: commitID, owner: commit.owner, state: "committed", on: conn)
        let marks = commit.deadLetterMarks.flatMap { source, marks in marks.map { (source, $0) } }
        if !marks.isEmpty {
            try conn.query("""
                INSERT INTO dlq_marks(source_topic, source_partition, dlq_topic, dlq_partition, scan_from)
                SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::integer[], $5::bigint[])
                ON CONFLICT (source_topic, source_partition, dlq_topic, dlq_partition) DO UPDATE SET scan_from = EXCLUDED.scan_from
                """, [PGArrayLiteral.text(marks.map(\.0.topic)), PGArrayLiteral.bare(marks.map(\.0.partition)),
                      PGArrayLiteral.text(marks.map(\.1.dlqTopic)), PGArrayLiteral.bare(marks.map(\.1.dlqPartition)),
                      PGArrayLiteral.bare(marks.map(\.1.scanFrom))])
        }
        let totals = commit.totals.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        if !totals.isEmpty {
            try conn.query("""
                INSERT INTO totals(name, value) SELECT * FROM unnest($1::text[], $2::bigint[])
                ON CONFLICT (name) DO UPDATE SET value = totals.value + EXCLUDED.value
                """, [PGArrayLiteral.text(totals.map(\.key)), PGArrayLiteral.bare(totals.map(\.value))])
        }
        return commitID
    }

    /// Compare-and-set of one table pointer, inside the commit transaction.
    private func moveTablePointer(_ update: TablePointerUpdate, at committedAt: Int64, on conn: PGConnection) throws {
        let changed: Int
        if let expected = update.expected {
            changed = try conn.query("UPDATE table_pointers SET location = $2, updated_at = $3 WHERE table_name = $1 AND location = $4",
                                     [update.table, update.new, String(committedAt), expected]).affected
        } else {
            changed = try conn.query("""
                INSERT INTO table_pointers(table_name, location, updated_at) VALUES ($1, $2, $3) ON CONFLICT (table_name) DO NOTHING
                """, [update.table, update.new, String(committedAt)]).affected
        }
        guard changed == 1 else {
            let found = try conn.query("SELECT location FROM table_pointers WHERE table_name = $1", [update.table]).scalar
            throw TablePointerConflict(table: update.table, expected: update.expected, found: found)
        }
        if let catalogTable = update.catalogTable { try moveCatalogRow(catalogTable, update, on: conn) }
    }

    /// Compare-and-set of the SQL catalog's row (`iceberg_tables`), so a reader opening the table through the
    /// catalog sees the new metadata from the moment the transaction commits; another catalog client that moved the
    /// row meanwhile refuses the whole commit like a moved pointer (`TablePointerConflict`).
    private func moveCatalogRow(_ t: CatalogTableName, _ update: TablePointerUpdate, on conn: PGConnection) throws {
        let key: [String?] = [t.catalogName, t.namespace, t.name]
        let changed: Int
        if let expected = update.expected {
            changed = try conn.query("""
                UPDATE iceberg_tables SET metadata_location = $4, previous_metadata_location = $5
                WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3 AND metadata_location = $5
                """, key + [update.new, expected]).affected
        } else {
            changed = try conn.query("""
                INSERT INTO iceberg_tables(catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type)
                VALUES ($1, $2, $3, $4, NULL, 'TABLE')
                ON CONFLICT (catalog_name, table_namespace, table_name) DO UPDATE SET metadata_location = EXCLUDED.metadata_location
                WHERE iceberg_tables.metadata_location IS NULL
                """, key + [update.new]).affected
            try conn.query("""
                INSERT INTO iceberg_namespace_properties(catalog_name, namespace, property_key, property_value) VALUES ($1, $2, 'exists', 'true')
                ON CONFLICT (catalog_name, namespace, property_key) DO NOTHING
                """, [t.catalogName, t.namespace])
        }
        guard changed == 1 else {
            let found = try conn.query("""
                SELECT metadata_location FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3
                """, key).scalar
            throw TablePointerConflict(table: update.table, expected: update.expected, found: found)
        }
    }

    /// Adds files to the manifest in one statement.
    func insertFiles(_ files: [StagedFile], commitID: Int64, owner: String, state: String, onConflictDoNothing: Bool = false,
                     on conn: PGConnection) throws {
        guard !files.isEmpty else { return }
        try conn.query("""
            INSERT INTO files(final_path, staging_path, hive_partition, commit_id, owner, state, rows, bytes)
            SELECT f, s, h, $4, $5, $6, r, b FROM unnest($1::text[], $2::text[], $3::text[], $7::bigint[], $8::bigint[]) AS t(f, s, h, r, b)
            \(onConflictDoNothing ? "ON CONFLICT (final_path) DO NOTHING" : "")
            """, [PGArrayLiteral.text(files.map(\.finalPath)), PGArrayLiteral.text(files.map(\.stagingPath)),
                  PGArrayLiteral.text(files.map(\.hivePartition)), String(commitID), owner, state,
                  PGArrayLiteral.bare(files.map(\.rows)), PGArrayLiteral.bare(files.map(\.bytes))])
    }
}
