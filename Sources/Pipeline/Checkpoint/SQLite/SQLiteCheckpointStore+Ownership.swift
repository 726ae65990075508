/// Partition ownership and DLQ delivery permits (`CheckpointStore.claimPartitions`), in `partition_owners`. The
/// store's clock is SQLite's `'now'` (this host's clock: every instance sharing a SQLite store runs on this host),
/// in unix milliseconds.
extension SQLiteCheckpointStore {
    /// The store's clock in unix milliseconds, as one SQL expression.
    static let nowMs = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"

    public func claimPartitions(_ partitions: [SourcePartition], owner: String) throws -> PartitionClaim {
        guard !partitions.isEmpty else { return PartitionClaim() }
        return try locked {
            try db.transaction {
                let now = try storeNowMs()
                let select = try db.prepare("""
                    SELECT permit_holder, deliveries_until_ms, permit_process FROM partition_owners WHERE topic = ? AND partition = ?
                    """)
                let claim = try db.prepare("""
                    INSERT INTO partition_owners(topic, partition, owner, claimed_at_ms) VALUES (?, ?, ?, ?)
                    ON CONFLICT(topic, partition) DO UPDATE SET owner = excluded.owner, claimed_at_ms = excluded.claimed_at_ms
                    """)
                var open: [SourcePartition: PartitionClaim.OpenPermit] = [:]
                for p in Set(partitions).sorted() {
                    let key: [SQLiteStatement.Value] = [.text(p.topic), .int(Int64(p.partition))]
                    try select.query(key) { r in
                        let holder = r.text(0)
                        guard !r.isNull(0), holder != owner, !r.isNull(1), r.int(1) > now else { return }
                        open[p] = PartitionClaim.OpenPermit(owner: holder, remaining: .milliseconds(r.int(1) - now),
                                                            process: r.isNull(2) ? nil : ProcessIdentity(r.text(2)))
                    }
                    try claim.run(key + [.text(owner), .int(now)])
                }
                return PartitionClaim(openPermits: open)
            }
        }
    }

    public func permitDeliveries(_ partitions: [SourcePartition], owner: String, window: Duration) throws {
        guard !partitions.isEmpty else { return }
        let windowMs = window.wholeMilliseconds
        try locked {
            try db.transaction {
                try refuseUnlessOwnedInTransaction(partitions, by: owner)
                // One statement per partition, in the transaction that checked them all.
                let permit = try db.prepare("""
                    INSERT INTO partition_owners(topic, partition, owner, claimed_at_ms, permit_holder, permit_process, deliveries_until_ms)
                    VALUES (?1, ?2, ?3, \(Self.nowMs), ?3, ?5, \(Self.nowMs) + ?4)
                    ON CONFLICT(topic, partition) DO UPDATE SET permit_holder = excluded.permit_holder,
                        permit_process = excluded.permit_process, deliveries_until_ms = excluded.deliveries_until_ms
                    """)
                for p in Set(partitions).sorted() {
                    try permit.run([.text(p.topic), .int(Int64(p.partition)), .text(owner), .int(windowMs),
                                    ProcessIdentity.current.map { .text($0.description) } ?? .null])
                }
            }
        }
    }

    public func endDeliveries(_ partitions: [SourcePartition]?, owner: String) throws {
        try locked {
            try db.transaction { try endDeliveriesInTransaction(partitions, owner: owner) }
        }
    }

    /// `endDeliveries` inside the caller's transaction (the commit's, with `CheckpointCommit.endsDeliveriesOf`).
    func endDeliveriesInTransaction(_ partitions: [SourcePartition]?, owner: String) throws {
        guard let partitions else {
            try db.prepare("UPDATE partition_owners SET permit_holder = NULL, permit_process = NULL, deliveries_until_ms = NULL WHERE permit_holder = ?")
                .run([.text(owner)])
            return
        }
        let end = try db.prepare("""
            UPDATE partition_owners SET permit_holder = NULL, permit_process = NULL, deliveries_until_ms = NULL
            WHERE topic = ? AND partition = ? AND permit_holder = ?
            """)
        for p in partitions { try end.run([.text(p.topic), .int(Int64(p.partition)), .text(owner)]) }
    }

    /// Throws `PartitionOwnedElsewhere` for the first of `partitions` (in topic, partition order) whose owner row
    /// names another owner than `owner`, inside the caller's transaction (the commit's, with
    /// `CheckpointCommit.ownedBy`, or a permit's). A partition without a row passes.
    func refuseUnlessOwnedInTransaction(_ partitions: [SourcePartition], by owner: String) throws {
        let select = try db.prepare("SELECT owner FROM partition_owners WHERE topic = ? AND partition = ?")
        for p in Set(partitions).sorted() {
            var other: String?
            try select.query([.text(p.topic), .int(Int64(p.partition))]) { r in other = r.text(0) == owner ? nil : r.text(0) }
            if let other { throw PartitionOwnedElsewhere(topic: p.topic, partition: p.partition, owner: other) }
        }
    }

    private func storeNowMs() throws -> Int64 {
        var now: Int64 = 0
        try db.prepare("SELECT \(Self.nowMs)").query { now = $0.int(0) }
        return now
    }
}
