import Foundation
import Testing
@testable import Pipeline

/// Partition ownership and DLQ delivery permits (`CheckpointStore.claimPartitions`), run against both stores:
/// the fence that keeps an instance which lost its partitions (a zombie) from delivering DLQ records the new owner
/// delivers too (issue 19).
@Suite struct PartitionOwnershipContractTests {
    let p0 = SourcePartition(topic: "t", partition: 0)
    let p1 = SourcePartition(topic: "t", partition: 1)
    let window = Duration.seconds(40)

    /// A claim by B refuses A's permit on that partition, names it and B, and changes none of A's permits.
    @Test(arguments: StoreKind.allCases)
    func aClaimByAnotherOwnerRefusesThePermit(kind: StoreKind) throws {
        let fresh = try kind.fresh("claim-refuses")
        let a = fresh.store, b = try fresh.open()
        #expect(try a.claimPartitions([p0, p1], owner: "A") == PartitionClaim())
        try a.permitDeliveries([p0, p1], owner: "A", window: window)
        try a.endDeliveries(nil, owner: "A")
        _ = try b.claimPartitions([p1], owner: "B")
        do {
            try a.permitDeliveries([p0, p1], owner: "A", window: window)
            Issue.record("A's permit was granted on a partition B claimed")
        } catch let lost as PartitionOwnedElsewhere {
            #expect(lost.topic == "t" && lost.partition == 1 && lost.owner == "B")
            #expect("\(lost)".contains("t[1] was claimed by instance B"))
        }
        // The refused permit set nothing on p0, which A still owns: a third owner finds no open permit there.
        #expect(try fresh.open().claimPartitions([p0], owner: "C") == PartitionClaim())
        try b.permitDeliveries([p1], owner: "B", window: window)
        #expect(throws: PartitionOwnedElsewhere.self) { try a.permitDeliveries([p0], owner: "A", window: window) }
    }

    /// A permit records its end by the store's clock; the next owner's claim reports what remains of it, and a
    /// claim of the permit's own owner does not.
    @Test(arguments: StoreKind.allCases)
    func aPermitMakesTheNextOwnerWait(kind: StoreKind) throws {
        let fresh = try kind.fresh("claim-waits")
        let a = fresh.store, b = try fresh.open()
        _ = try a.claimPartitions([p0, p1], owner: "A")
        try a.permitDeliveries([p0], owner: "A", window: window)
        #expect(try a.claimPartitions([p0, p1], owner: "A") == PartitionClaim(), "an owner does not wait for itself")
        let claim = try b.claimPartitions([p0, p1], owner: "B")
        #expect(Array(claim.openPermits.keys) == [p0])
        let open = try #require(claim.openPermits[p0])
        #expect(open.owner == "A")
        #expect(open.process == ProcessIdentity.current, "the permit names the process that took it")
        #expect(open.remaining <= window && open.remaining > window - .seconds(10), "\(open.remaining)")
        // The claim keeps the permit's end: a third owner claiming next still waits for A.
        #expect(try fresh.open().claimPartitions([p0], owner: "C").openPermits[p0]?.owner == "A")
    }

    /// The permit's end is the store's clock plus the window, read back with the store's own clock; a permit
    /// written by another client in the store's terms is reported by what remains of it by that clock.
    @Test(arguments: StoreKind.allCases)
    func permitsAreKeptByTheStoresClock(kind: StoreKind) throws {
        let fresh = try kind.fresh("store-clock")
        let a = fresh.store
        _ = try a.claimPartitions([p0], owner: "A")
        try a.permitDeliveries([p0], owner: "A", window: window)
        let remainingMs: String
        switch kind {
        case .sqlite:
            remainingMs = "SELECT deliveries_until_ms - \(SQLiteCheckpointStore.nowMs) FROM partition_owners"
        case .postgres:
            remainingMs = "SELECT (extract(epoch FROM deliveries_until - clock_timestamp()) * 1000)::bigint FROM partition_owners"
        }
        let left = try #require(fresh.sql(remainingMs).first?.first.flatMap { $0.flatMap { Int64($0) } })
        #expect(left <= 40_000 && left > 30_000, "\(left) ms")
        // Another client sets the permit to end an hour from now by the store's clock.
        switch kind {
        case .sqlite:
            _ = try fresh.sql("UPDATE partition_owners SET deliveries_until_ms = \(SQLiteCheckpointStore.nowMs) + 3600000")
        case .postgres:
            _ = try fresh.sql("UPDATE partition_owners SET deliveries_until = clock_timestamp() + interval '1 hour'")
        }
        let open = try #require(try fresh.open().claimPartitions([p0], owner: "B").openPermits[p0])
        #expect(open.remaining <= .seconds(3600) && open.remaining > .seconds(3590), "\(open.remaining)")
    }

    /// A commit that ends its owner's permits ends them with its transaction, only on its partitions and only
    /// those its owner holds; a refused commit ends none; `endDeliveries` ends a holder's permits whoever owns the
    /// partitions now.
    @Test(arguments: StoreKind.allCases)
    func aCommitEndsItsOwnersPermits(kind: StoreKind) throws {
        let fresh = try kind.fresh("commit-ends")
        let a = fresh.store, b = try fresh.open()
        _ = try a.claimPartitions([p0, p1], owner: "A")
        try a.permitDeliveries([p0, p1], owner: "A", window: window)
        var refused = commit([p1: OffsetAdvance(expected: 5, next: 10)])
        refused.endsDeliveriesOf = "A"
        #expect(throws: OffsetConflict.self) { _ = try a.commit(refused) }
        var own = commit([p0: OffsetAdvance(expected: nil, next: 10)])
        own.endsDeliveriesOf = "A"
        _ = try a.commit(own)
        let claim = try b.claimPartitions([p0, p1], owner: "B")
        #expect(Array(claim.openPermits.keys) == [p1] && claim.openPermits[p1]?.owner == "A",
                "p0's permit ended with the commit, p1's not with the refused one: \(claim)")
        // A, now a zombie, commits p0 before B did: that ends no permit of B's.
        try b.permitDeliveries([p0], owner: "B", window: window)
        var zombie = commit([p0: OffsetAdvance(expected: 10, next: 12)])
        zombie.endsDeliveriesOf = "A"
        _ = try a.commit(zombie)
        try a.endDeliveries(nil, owner: "A")
        let third = try fresh.open().claimPartitions([p0, p1], owner: "C")
        #expect(Array(third.openPermits.keys) == [p0] && third.openPermits[p0]?.owner == "B", "\(third)")
        try b.endDeliveries([p0], owner: "B")
        #expect(try fresh.open().claimPartitions([p0, p1], owner: "D").openPermits.isEmpty)
    }

    /// A commit that names its owner (`CheckpointCommit.ownedBy`) is refused whole once another owner claimed one
    /// of its partitions: a zombie moves no offset, DLQ mark or permit under the new owner, which read them once
    /// after its claim. Its own partitions, partitions nobody claimed and commits that name no owner pass.
    @Test(arguments: StoreKind.allCases)
    func aCommitOfAPartitionClaimedElsewhereIsRefused(kind: StoreKind) throws {
        let fresh = try kind.fresh("commit-owned")
        let a = fresh.store, b = try fresh.open()
        let p2 = SourcePartition(topic: "t", partition: 2)
        _ = try a.claimPartitions([p0, p1], owner: "A")
        var first = commit([p0: OffsetAdvance(expected: nil, next: 10), p1: OffsetAdvance(expected: nil, next: 20),
                            p2: OffsetAdvance(expected: nil, next: 30)])
        first.ownedBy = "A"
        _ = try a.commit(first)
        try a.permitDeliveries([p0, p1], owner: "A", window: window)
        _ = try b.claimPartitions([p1], owner: "B")
        var zombie = commit([p0: OffsetAdvance(expected: 10, next: 11), p1: OffsetAdvance(expected: 20, next: 21)])
        zombie.ownedBy = "A"
        zombie.endsDeliveriesOf = "A"
        zombie.deadLetterMarks[p1] = [DeadLetterMark(dlqTopic: "t_dlq", dlqPartition: 0, scanFrom: 99)]
        do {
            _ = try a.commit(zombie)
            Issue.record("A committed a partition B had claimed")
        } catch let lost as PartitionOwnedElsewhere {
            #expect(lost.topic == "t" && lost.partition == 1 && lost.owner == "B")
            #expect("\(lost)".contains("neither delivers its DLQ records nor commits it"))
        }
        #expect(try b.storedOffsets([p0, p1, p2]) == [p0: 10, p1: 20, p2: 30], "the refused commit moved an offset")
        #expect(try b.deadLetterMarks(for: p1).isEmpty, "the refused commit moved a DLQ mark")
        #expect(try fresh.open().claimPartitions([p0], owner: "C").openPermits[p0]?.owner == "A",
                "the refused commit ended a permit")
        // The new owner commits what it claimed; a commit that names no owner is not checked.
        var owners = commit([p1: OffsetAdvance(expected: 20, next: 25)])
        owners.ownedBy = "B"
        _ = try b.commit(owners)
        _ = try a.commit(commit([p0: OffsetAdvance(expected: 10, next: 12)]))
        #expect(try a.storedOffsets([p0, p1]) == [p0: 12, p1: 25])
    }

    /// A store of the previous schema version (no `partition_owners`) gets the table when opened.
    @Test(arguments: StoreKind.allCases)
    func aStoreOfThePreviousVersionUpgrades(kind: StoreKind) throws {
        let fresh = try kind.fresh("upgrade")
        _ = try fresh.store.commit(commit([p0: OffsetAdvance(expected: nil, next: 3)]))
        _ = try fresh.sql("DROP TABLE partition_owners")
        switch kind {
        case .sqlite: _ = try fresh.sql("PRAGMA user_version = \(SQLiteCheckpointSchema.version - 1)")
        case .postgres: _ = try fresh.sql("DELETE FROM weir_schema_version WHERE version = \(PostgresSchema.version)")
        }
        let upgraded = try fresh.open()
        #expect(try upgraded.claimPartitions([p0], owner: "A") == PartitionClaim())
        try upgraded.permitDeliveries([p0], owner: "A", window: window)
        #expect(try upgraded.storedOffsets([p0]) == [p0: 3])
        let version = switch kind {
        case .sqlite: try fresh.sql("PRAGMA user_version").first?.first ?? nil
        case .postgres: try fresh.sql("SELECT max(version) FROM weir_schema_version").first?.first ?? nil
        }
        #expect(version == String(kind == .sqlite ? SQLiteCheckpointSchema.version : PostgresSchema.version))
    }
}
