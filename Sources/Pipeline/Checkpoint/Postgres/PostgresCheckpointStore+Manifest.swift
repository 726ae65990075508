import Foundation

/// The file manifest, DLQ marks, totals, store facts and table pointers.
extension PostgresCheckpointStore {
    public func unpublishedFiles() throws -> [UnpublishedFile] {
        try withStore("read the file manifest") { conn in
            try conn.query("""
                SELECT commit_id, owner, staging_path, final_path, hive_partition, rows, bytes FROM files
                WHERE state = 'committed' ORDER BY commit_id, final_path
                """).rows.map { r in
                UnpublishedFile(commitID: Int64(r[0]!)!, owner: r[1]!, file: StagedFile(
                    stagingPath: r[2]!, finalPath: r[3]!, hivePartition: r[4]!, rows: Int64(r[5]!)!, bytes: Int64(r[6]!)!))
            }
        }
    }

    public func markPublished(commitIDs: [Int64]) throws {
        guard !commitIDs.isEmpty else { return }
        try withStore("mark files published") { conn in
            try conn.query("UPDATE files SET state = 'published' WHERE commit_id = ANY($1::bigint[]) AND state = 'committed'",
                           [PGArrayLiteral.bare(commitIDs)])
        }
    }

    public func publishedFiles(hivePartition: String) throws -> [StagedFile] {
        try withStore("read the file manifest") { conn in
            try conn.query("""
                SELECT staging_path, final_path, hive_partition, rows, bytes FROM files
                WHERE state = 'published' AND hive_partition = $1 ORDER BY final_path
                """, [hivePartition]).rows.map { r in
                StagedFile(stagingPath: r[0]!, finalPath: r[1]!, hivePartition: r[2]!, rows: Int64(r[3]!)!, bytes: Int64(r[4]!)!)
            }
        }
    }

    public func replaceFiles(removing: [String], adding: [StagedFile], owner: String) throws -> Int64 {
        try withStore("replace lake files") { conn in
            try conn.transaction {
                guard let commitID = try conn.query("INSERT INTO commits(committed_at, owner) VALUES ($1, $2) RETURNING id",
                                                    [String(Int64(Date().timeIntervalSince1970)), owner]).scalar.flatMap(Int64.init) else {
                    throw PGError(message: "INSERT INTO commits returned no id", connectionLost: false)
                }
                if !removing.isEmpty {
                    let removed = Set(try conn.query("""
                        UPDATE files SET state = 'removed' WHERE final_path = ANY($1::text[]) AND state = 'published' RETURNING final_path
                        """, [PGArrayLiteral.text(removing)]).rows.compactMap { $0[0] })
                    if let missing = removing.first(where: { !removed.contains($0) }) {
                        throw StoreError(message: "file \(missing) is not a published lake file", isRetriable: false)
                    }
                }
                try insertFiles(adding, commitID: commitID, owner: owner, state: "committed", on: conn)
                return commitID
            }
        }
    }

    public func deadLetterMarks(for partition: SourcePartition) throws -> [DeadLetterMark] {
        try withStore("read DLQ marks") { conn in
            try conn.query("""
                SELECT dlq_topic, dlq_partition, scan_from FROM dlq_marks WHERE source_topic = $1 AND source_partition = $2
                ORDER BY dlq_topic, dlq_partition
                """, [partition.topic, String(partition.partition)]).rows.map {
                DeadLetterMark(dlqTopic: $0[0]!, dlqPartition: Int32($0[1]!)!, scanFrom: Int64($0[2]!)!)
            }
        }
    }

    public func recordDeadLetterMarks(_ marks: [DeadLetterMark], for partition: SourcePartition) throws {
        guard !marks.isEmpty else { return }
        try withStore("record DLQ marks") { conn in
            try conn.query("""
                INSERT INTO dlq_marks(source_topic, source_partition, dlq_topic, dlq_partition, scan_from)
                SELECT $1, $2, * FROM unnest($3::text[], $4::integer[], $5::bigint[])
                ON CONFLICT (source_topic, source_partition, dlq_topic, dlq_partition)
                DO UPDATE SET scan_from = least(dlq_marks.scan_from, EXCLUDED.scan_from)
                """, [partition.topic, String(partition.partition), PGArrayLiteral.text(marks.map(\.dlqTopic)),
                      PGArrayLiteral.bare(marks.map(\.dlqPartition)), PGArrayLiteral.bare(marks.map(\.scanFrom))])
        }
    }

    public func totals() throws -> [String: Int64] {
        try withStore("read the totals") { conn in
            var out: [String: Int64] = [:]
            for r in try conn.query("SELECT name, value FROM totals").rows { out[r[0]!] = Int64(r[1]!)! }
            return out
        }
    }

    public func isEmpty() throws -> Bool {
        try withStore("read the offsets") { conn in
            try conn.query("SELECT NOT EXISTS (SELECT 1 FROM offsets) AND NOT EXISTS (SELECT 1 FROM files) AND NOT EXISTS (SELECT 1 FROM table_pointers)").scalar == "t"
        }
    }

    public func metaValue(_ name: String) throws -> String? {
        try withStore("read a store fact") { conn in
            try conn.query("SELECT value FROM store_meta WHERE name = $1", [name]).scalar
        }
    }

    public func setMetaValue(_ name: String, _ value: String) throws {
        try withStore("record a store fact") { conn in
            try conn.query("INSERT INTO store_meta(name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                           [name, value])
        }
    }

    public func tablePointer(_ table: String) throws -> String? {
        try withStore("read a table pointer") { conn in
            try conn.query("SELECT location FROM table_pointers WHERE table_name = $1", [table]).scalar
        }
    }
}
