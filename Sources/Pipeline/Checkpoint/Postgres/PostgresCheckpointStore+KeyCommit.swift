/// Storing a commit's dedup keys inside its transaction (under the dedup advisory lock).
extension PostgresCheckpointStore {
    /// How a commit stores its keys.
    enum KeyCommitPath {
        /// None of the keys may be live in another day's partition (not even read when the `KeyLookupLedger`
        /// shows that nobody else stored keys since they were looked up), and a binary `COPY` into the commit's own
        /// day partition must add every key (its primary key refuses one already there). Anything else
        /// (`KeyAlreadyStored`) rolls the transaction back to run again on the general path.
        case fast
        /// Looks up live keys in every partition (naming them in `DedupRace`), then inserts, re-stamping a key
        /// that expired earlier the same day.
        case general
    }

    /// The fast path met a key already stored (live or not): the transaction rolls back and runs the general path.
    struct KeyAlreadyStored: Error {}

    /// The `store_meta` row of the key generation: moved by every commit that stores keys (`KeyLookupLedger`).
    static let generationName = "dedup_generation"

    /// Moves the key generation by one inside the caller's transaction (the row stays locked until it ends).
    /// - Returns: the new generation.
    func moveKeyGeneration(on conn: PGConnection) throws -> Int64 {
        guard let generation = try conn.query("""
            INSERT INTO store_meta(name, value) VALUES ($1, '1')
            ON CONFLICT (name) DO UPDATE SET value = (store_meta.value::bigint + 1)::text RETURNING value
            """, [Self.generationName]).scalar.flatMap(Int64.init) else {
            throw PGError(message: "the key generation in store_meta is not a number", connectionLost: false)
        }
        return generation
    }

    /// `$1`, the keys' array, as the planner must see it in `key = ANY(…)`: the result of a sub-select, whose
    /// value it does not know. Given the array itself, PostgreSQL estimates the selectivity of every element
    /// against every partition while planning: seconds for 100,000 keys, more than the lookups themselves.
    static let keysParam = "(SELECT $1::uuid[])::uuid[]"

    /// The keys sorted by their bytes (the index's order, so inserts walk the B-tree left to right), without repeats
    /// (sorted, then each dropped that equals the one before it: no hashing).
    static func sortedUnique(_ keys: [DedupKey]) -> [DedupKey] {
        var sorted = keys.sorted()
        guard sorted.count > 1 else { return sorted }
        var kept = 1
        for i in 1..<sorted.count where sorted[i] != sorted[kept - 1] {
            sorted[kept] = sorted[i]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }

    /// Keys as one binary `uuid[]` parameter, in the given order (callers pass `sortedUnique` keys).
    static func keyParameter(sorted keys: [DedupKey]) -> PGParameter {
        .binary(PGBinaryArray.uuids(keys.lazy.map { (high: $0.high, low: $0.low) }))
    }

    /// The rows `(day, key, seen_at)` of a key partition, one per key in the given order, as binary COPY input.
    static func keyRows(_ keys: [DedupKey], day: Int, seenAt: Int64) -> [UInt8] {
        var copy = PGBinaryCopy(reservingRows: keys.count, rowBytes: 2 + 8 + 20 + 12)
        for key in keys {
            copy.startRow(fields: 3)
            copy.appendField(Int32(day))
            copy.appendUUID(high: key.high, low: key.low)
            copy.appendField(seenAt)
        }
        return copy.finished
    }

    /// Stores the commit's keys and moves the key generation.
    /// - Returns: the commit's key generation, to record in the ledger once the transaction committed.
    /// - Throws: `KeyAlreadyStored` (fast path), `DedupRace` (general path) naming the live keys, `PGError`.
    func storeKeys(_ commit: CheckpointCommit, path: KeyCommitPath, on conn: PGConnection) throws -> Int64 {
        let generation = try moveKeyGeneration(on: conn)
        let sortedKeys = Self.sortedUnique(commit.dedupKeys)
        let count = sortedKeys.count
        let day = DedupKeyPartitions.day(of: commit.committedAt)
        let notBefore = PGParameter.text(String(commit.dedupNotBefore))
        let firstDay = PGParameter.text(String(Self.firstDay(notBefore: commit.dedupNotBefore)))
        switch path {
        case .fast:
            let othersUnchanged = ledger.withLock { ledger in
                ledger.absentSince(lookups: commit.keyLookups, notBefore: commit.dedupNotBefore)
                    .map { ledger.onlyOwnCommits(after: $0, through: generation - 1) } ?? false
            }
            // The other days' partitions are only read (an index probe per key, per day), and only when another
            // writer may have stored keys since they were looked up.
            if !othersUnchanged {
                let live = try conn.query("""
                    SELECT 1 FROM dedup_keys WHERE key = ANY(\(Self.keysParam)) AND seen_at >= $2::bigint
                        AND day >= $3::integer AND day <= \(DedupKeyPartitions.lastDaySQL) AND (day < $4::integer OR day > $4::integer) LIMIT 1
                    """, [Self.keyParameter(sorted: sortedKeys), notBefore, firstDay, .text(String(day))])
                guard live.rows.isEmpty else { throw KeyAlreadyStored() }
            }
            // The commit's own day is written directly (no routing through the parent), as a binary COPY of the
            // sorted keys; its primary key refuses a key already there (unique violation: the general path).
            do {
                let copied = try conn.copyIn("COPY \(DedupKeyPartitions.name(ofDay: day))(day, key, seen_at) FROM STDIN WITH (FORMAT binary)",
                                             data: Self.keyRows(sortedKeys, day: day, seenAt: commit.committedAt))
                guard copied == count else { throw KeyAlreadyStored() }
            } catch let error as PGError where error.sqlState == "23505" {
                throw KeyAlreadyStored()
            }
        case .general:
            let keys = Self.keyParameter(sorted: sortedKeys)
            let live = try conn.query("""
                SELECT key FROM dedup_keys WHERE key = ANY(\(Self.keysParam)) AND seen_at >= $2::bigint AND day >= $3::integer
                    AND day <= \(DedupKeyPartitions.lastDaySQL)
                """, [keys, notBefore, firstDay]).rows
            if !live.isEmpty {
                let conflicting = Set(live.compactMap { $0[0].flatMap(PGArrayLiteral.uuidHalves).map { DedupKey(high: $0.high, low: $0.low) } })
                throw DedupRace(expected: commit.dedupKeys.count, conflicting: conflicting)
            }
            try conn.query("""
                INSERT INTO dedup_keys(day, key, seen_at) SELECT $2::integer, k, $3::bigint FROM unnest($1::uuid[]) AS k
                ON CONFLICT (key, day) DO UPDATE SET seen_at = EXCLUDED.seen_at
                """, [keys, .text(String(day)), .text(String(commit.committedAt))])
        }
        return generation
    }
}
