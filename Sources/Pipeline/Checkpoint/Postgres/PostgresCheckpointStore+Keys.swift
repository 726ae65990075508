import Foundation

/// Key expiry, statistics and restoring from the lake.
extension PostgresCheckpointStore {
    /// Drops every day partition of `dedup_keys` whose whole day is older than `olderThan`, however many keys it
    /// holds (`limit` does not apply: expiry is whole days, never row by row). Keys of a partly expired day stay
    /// until their day expires; lookups ignore them by their time. One instance prunes at a time; the others'
    /// calls return 0 meanwhile. Returns how many keys were removed.
    public func pruneKeys(olderThan: Int64, limit: Int) throws -> Int {
        try withStore("prune dedup keys") { conn in
            guard try conn.query("SELECT pg_try_advisory_lock(\(PostgresSchema.Lock.prune.sql))").scalar == "t" else { return 0 }
            defer { _ = try? conn.query("SELECT pg_advisory_unlock(\(PostgresSchema.Lock.prune.sql))") }
            let (attached, pending) = try DedupKeyPartitions.existing(conn)
            let expired = DedupKeyPartitions.expired(attached, olderThan: olderThan)
            let removed = try DedupKeyPartitions.drop(expired, pending: pending, on: conn)
            partitionDays.withLock { $0.subtract(expired) }
            // Keep the partitions ahead of today in place (a long run crosses midnight).
            let today = DedupKeyPartitions.day(of: Int64(Date().timeIntervalSince1970))
            try ensurePartitions(Array(today...(today + DedupKeyPartitions.daysAhead)), on: conn)
            return removed
        }
    }

    public func stats() throws -> CheckpointStats {
        let totals = try totals()
        return try withStore("read the store's statistics") { conn in
            let keys = try conn.query("SELECT count(*), min(seen_at), max(seen_at) FROM dedup_keys").rows[0]
            var partitions: [SourcePartition: Int64] = [:]
            for r in try conn.query("SELECT topic, partition, next_offset FROM offsets").rows {
                partitions[SourcePartition(topic: r[0]!, partition: Int32(r[1]!)!)] = Int64(r[2]!)!
            }
            let bytes = try conn.query("SELECT pg_database_size(current_database())").scalar.flatMap(Int64.init) ?? 0
            return CheckpointStats(keyCount: keys[0].flatMap(Int64.init) ?? 0, databaseBytes: bytes,
                                   oldestKeyAt: keys[1].flatMap(Int64.init), newestKeyAt: keys[2].flatMap(Int64.init),
                                   partitions: partitions, totals: totals)
        }
    }

    /// Adds files and keys read back from the lake in one transaction; each key goes to the partition of the day
    /// it was first seen, and a key already there keeps the later time.
    public func restore(_ batch: LakeRestoreBatch) throws {
        var latest: [DedupKey: Int64] = [:]
        for (key, seenAt) in batch.keys { latest[key] = max(latest[key] ?? .min, seenAt) }
        let keys = latest.sorted { $0.key < $1.key }
        let days = Set(keys.map { DedupKeyPartitions.day(of: $0.value) })
        try withStore("restore the store from the lake") { conn in
            if !days.isEmpty { try ensurePartitions(days.sorted(), on: conn) }
            try conn.transaction {
                // Keys stored outside a commit move the key generation too (`KeyLookupLedger`).
                if !keys.isEmpty { _ = try moveKeyGeneration(on: conn) }
                for start in stride(from: 0, to: keys.count, by: 50_000) {
                    let chunk = keys[start..<min(start + 50_000, keys.count)]
                    try conn.query("""
                        INSERT INTO dedup_keys(day, key, seen_at) SELECT * FROM unnest($1::integer[], $2::uuid[], $3::bigint[])
                        ON CONFLICT (key, day) DO UPDATE SET seen_at = greatest(dedup_keys.seen_at, EXCLUDED.seen_at)
                        """, [PGArrayLiteral.bare(chunk.map { DedupKeyPartitions.day(of: $0.value) }),
                              Self.keyArray(chunk.map(\.key)), PGArrayLiteral.bare(chunk.map(\.value))])
                }
                guard !batch.files.isEmpty else { return }
                guard let commitID = try conn.query("""
                    INSERT INTO commits(committed_at, owner) VALUES (extract(epoch FROM now())::bigint, 'rebuild') RETURNING id
                    """).scalar.flatMap(Int64.init) else {
                    throw PGError(message: "INSERT INTO commits returned no id", connectionLost: false)
                }
                try insertFiles(batch.files, commitID: commitID, owner: "rebuild", state: "published", onConflictDoNothing: true, on: conn)
            }
        }
    }
}
