/// Partition ownership and DLQ delivery permits (`CheckpointStore.claimPartitions`), in `partition_owners`. Every
/// time is the server's `clock_timestamp()`: the hosts' clocks never enter into it, only durations measured on each
/// host's monotonic clock.
extension PostgresCheckpointStore {
    public func claimPartitions(_ partitions: [SourcePartition], owner: String) throws -> PartitionClaim {
        guard !partitions.isEmpty else { return PartitionClaim() }
        let keys = Self.partitionArrays(partitions)
        let rows = try withStore("claim partitions") { conn in
            try conn.transaction {
                try conn.query("""
                    INSERT INTO partition_owners(topic, partition, owner, claimed_at)
                    SELECT u.topic, u.partition, $3, clock_timestamp() FROM unnest($1::text[], $2::integer[]) AS u(topic, partition)
                    ORDER BY u.topic, u.partition ON CONFLICT (topic, partition) DO NOTHING
                    """, keys + [owner])
                // Locked in a fixed order, so a permit granted meanwhile is either seen here or refused after.
                let previous = try conn.query("""
                    SELECT o.topic, o.partition, o.permit_holder, ceil(extract(epoch FROM o.deliveries_until - clock_timestamp()) * 1000)::bigint,
                        o.permit_process
                    FROM partition_owners o JOIN unnest($1::text[], $2::integer[]) AS u(topic, partition) USING (topic, partition)
                    ORDER BY o.topic, o.partition FOR UPDATE OF o
                    """, keys).rows
                try conn.query("""
                    UPDATE partition_owners o SET owner = $3, claimed_at = clock_timestamp()
                    FROM unnest($1::text[], $2::integer[]) AS u(topic, partition) WHERE o.topic = u.topic AND o.partition = u.partition
                    """, keys + [owner])
                return previous
            }
        }
        var open: [SourcePartition: PartitionClaim.OpenPermit] = [:]
        for r in rows {
            guard let topic = r[0], let partition = r[1].flatMap(Int32.init), let previous = r[2], previous != owner,
                  let remaining = r[3].flatMap(Int64.init), remaining > 0 else { continue }
            open[SourcePartition(topic: topic, partition: partition)] = PartitionClaim.OpenPermit(
                owner: previous, remaining: .milliseconds(remaining), process: r[4].flatMap(ProcessIdentity.init))
        }
        return PartitionClaim(openPermits: open)
    }

    public func permitDeliveries(_ partitions: [SourcePartition], owner: String, window: Duration) throws {
        guard !partitions.isEmpty else { return }
        let keys = Self.partitionArrays(partitions)
        let windowMs = window.wholeMilliseconds
        try withStore("grant a DLQ delivery permit") { conn in
            try conn.transaction {
                // A row another owner holds is locked and left as it is: not returned.
                let permitted = try conn.query("""
                    INSERT INTO partition_owners(topic, partition, owner, claimed_at, permit_holder, permit_process, deliveries_until)
                    SELECT u.topic, u.partition, $3, clock_timestamp(), $3, $5, clock_timestamp() + $4::double precision * interval '1 millisecond'
                    FROM unnest($1::text[], $2::integer[]) AS u(topic, partition) ORDER BY u.topic, u.partition
                    ON CONFLICT (topic, partition) DO UPDATE SET permit_holder = EXCLUDED.permit_holder,
                        permit_process = EXCLUDED.permit_process, deliveries_until = EXCLUDED.deliveries_until
                    WHERE partition_owners.owner = EXCLUDED.owner
                    RETURNING topic, partition
                    """, keys + [owner, String(windowMs), ProcessIdentity.current?.description]).rows
                guard permitted.count < Set(partitions).count else { return }
                let other = try conn.query("""
                    SELECT o.topic, o.partition, o.owner
                    FROM partition_owners o JOIN unnest($1::text[], $2::integer[]) AS u(topic, partition) USING (topic, partition)
                    WHERE o.owner <> $3 ORDER BY o.topic, o.partition LIMIT 1
                    """, keys + [owner]).rows.first
                // Rolls the permits of the other partitions back with the transaction.
                throw PartitionOwnedElsewhere(topic: other?[0] ?? "?", partition: other?[1].flatMap(Int32.init) ?? -1, owner: other?[2] ?? "?")
            }
        }
    }

    public func endDeliveries(_ partitions: [SourcePartition]?, owner: String) throws {
        try withStore("end DLQ delivery permits") { conn in try endDeliveries(partitions, owner: owner, on: conn) }
    }

    /// `endDeliveries` on `conn`, inside the caller's transaction if it has one (the commit's, with
    /// `CheckpointCommit.endsDeliveriesOf`).
    func endDeliveries(_ partitions: [SourcePartition]?, owner: String, on conn: PGConnection) throws {
        guard let partitions else {
            try conn.query("UPDATE partition_owners SET permit_holder = NULL, permit_process = NULL, deliveries_until = NULL WHERE permit_holder = $1", [owner])
            return
        }
        guard !partitions.isEmpty else { return }
        try conn.query("""
            UPDATE partition_owners o SET permit_holder = NULL, permit_process = NULL, deliveries_until = NULL
            FROM unnest($1::text[], $2::integer[]) AS u(topic, partition)
            WHERE o.topic = u.topic AND o.partition = u.partition AND o.permit_holder = $3
            """, Self.partitionArrays(partitions) + [owner])
    }

    /// Throws `PartitionOwnedElsewhere` for the first of `partitions` (in topic, partition order) whose owner row
    /// names another owner than `owner`, inside the caller's transaction (the commit's, with
    /// `CheckpointCommit.ownedBy`). The rows stay locked to the end of that transaction, so a claim running
    /// meanwhile waits for it and then reads what it committed. A partition without a row passes.
    func refuseUnlessOwned(_ partitions: [SourcePartition], by owner: String, on conn: PGConnection) throws {
        guard !partitions.isEmpty else { return }
        let rows = try conn.query("""
            SELECT o.topic, o.partition, o.owner
            FROM partition_owners o JOIN unnest($1::text[], $2::integer[]) AS u(topic, partition) USING (topic, partition)
            ORDER BY o.topic, o.partition FOR UPDATE OF o
            """, Self.partitionArrays(partitions)).rows
        if let other = rows.first(where: { $0[2] != owner }) {
            throw PartitionOwnedElsewhere(topic: other[0] ?? "?", partition: other[1].flatMap(Int32.init) ?? -1, owner: other[2] ?? "?")
        }
    }

    /// The topics and partition numbers of `partitions` (each once, sorted) as two array parameters.
    private static func partitionArrays(_ partitions: [SourcePartition]) -> [String?] {
        let sorted = Set(partitions).sorted()
        return [PGArrayLiteral.text(sorted.map(\.topic)), PGArrayLiteral.bare(sorted.map(\.partition))]
    }
}
