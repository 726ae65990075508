/// The offsets compare-and-set of a commit, inside its transaction.
extension PostgresCheckpointStore {
    /// Moves every partition of the commit in at most two statements, whatever their number (a round trip per
    /// partition would cost more than the work on a busy host): one `UPDATE … FROM unnest(…)` for the partitions
    /// with an expected offset, each row changed only where it still holds that offset, and one
    /// `INSERT … ON CONFLICT DO NOTHING` for those the instance saw none of. A row lock makes a second writer of a
    /// partition wait, then fail its comparison.
    /// - Throws: `OffsetConflict` for the first partition (in topic, partition order) that did not move.
    func advanceOffsets(_ commit: CheckpointCommit, on conn: PGConnection) throws {
        let advances = commit.offsets.sorted { $0.key < $1.key }
        let updates = advances.filter { $0.value.expected != nil }, inserts = advances.filter { $0.value.expected == nil }
        var moved = Set<SourcePartition>()
        if !updates.isEmpty {
            let rows = try conn.query("""
                UPDATE offsets o SET next_offset = u.next, updated_at = $7, last_timestamp_ms = u.ts, last_value_hash = u.hash
                FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
                    AS u(topic, partition, expected, next, ts, hash)
                WHERE o.topic = u.topic AND o.partition = u.partition AND o.next_offset = u.expected
                RETURNING o.topic, o.partition
                """, Self.offsetColumns(updates) + [String(commit.committedAt)]).rows
            moved.formUnion(Self.partitions(rows))
        }
        if !inserts.isEmpty {
            let rows = try conn.query("""
                INSERT INTO offsets(topic, partition, next_offset, updated_at, last_timestamp_ms, last_value_hash)
                SELECT u.topic, u.partition, u.next, $7, u.ts, u.hash
                FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
                    AS u(topic, partition, expected, next, ts, hash)
                ON CONFLICT (topic, partition) DO NOTHING RETURNING topic, partition
                """, Self.offsetColumns(inserts) + [String(commit.committedAt)]).rows
            moved.formUnion(Self.partitions(rows))
        }
        guard let (partition, advance) = advances.first(where: { !moved.contains($0.key) }) else { return }
        let found = try conn.query("SELECT next_offset FROM offsets WHERE topic = $1 AND partition = $2",
                                   [partition.topic, String(partition.partition)]).scalar.flatMap(Int64.init)
        throw OffsetConflict(topic: partition.topic, partition: partition.partition, expected: advance.expected, found: found)
    }

    /// The six array parameters of `advanceOffsets`: topic, partition, expected and next offset, and the fingerprint
    /// of the last record (Kafka timestamp, value hash; NULL when unknown).
    private static func offsetColumns(_ advances: [(key: SourcePartition, value: OffsetAdvance)]) -> [String?] {
        [PGArrayLiteral.text(advances.map(\.key.topic)),
         PGArrayLiteral.bare(advances.map(\.key.partition)),
         PGArrayLiteral.text(advances.map { $0.value.expected.map(String.init) }),
         PGArrayLiteral.bare(advances.map(\.value.next)),
         PGArrayLiteral.text(advances.map { $0.value.fingerprint?.timestampMs.map(String.init) }),
         PGArrayLiteral.text(advances.map { $0.value.fingerprint.map { String(Int64(bitPattern: $0.valueHash)) } })]
    }

    private static func partitions(_ rows: [[String?]]) -> [SourcePartition] {
        rows.compactMap { row in
            guard let topic = row[0], let partition = row[1].flatMap(Int32.init) else { return nil }
            return SourcePartition(topic: topic, partition: partition)
        }
    }
}
