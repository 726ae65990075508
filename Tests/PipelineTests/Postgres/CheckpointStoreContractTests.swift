import Foundation
import Testing
@testable import Pipeline

/// The `CheckpointStore` contract, run against every implementation (SQLite and PostgreSQL): a commit is applied
/// whole or not at all, and is refused on a stale offset, a live dedup key or a moved table pointer.
@Suite struct CheckpointStoreContractTests {
    let p = SourcePartition(topic: "t", partition: 0)

    @Test(arguments: StoreKind.allCases)
    func aRefusedCommitAppliesNothing(kind: StoreKind) throws {
        let s = try kind.fresh("refused").store
        #expect(try s.isEmpty())
        _ = try s.commit(commit([p: OffsetAdvance(expected: nil, next: 10)], keys: [key(1), key(2)], files: [staged("f1")],
                                totals: ["total": 2, "valid": 2]))
        #expect(try !s.isEmpty())
        #expect(try s.storedOffsets([p]) == [p: 10])
        #expect(throws: OffsetConflict.self) {
            _ = try s.commit(commit([p: OffsetAdvance(expected: nil, next: 20)], keys: [key(3)], files: [staged("f2")], totals: ["total": 5]))
        }
        do {
            _ = try s.commit(commit([p: OffsetAdvance(expected: 7, next: 20)], keys: [key(4)]))
            Issue.record("expected a conflict")
        } catch let e as OffsetConflict {
            #expect(e.expected == 7 && e.found == 10 && e.partition == 0 && e.topic == "t")
        }
        #expect(throws: DedupRace.self) {
            _ = try s.commit(commit([p: OffsetAdvance(expected: 10, next: 15)], keys: [key(5), key(1)], files: [staged("f5")], totals: ["total": 5]))
        }
        #expect(try s.storedOffsets([p]) == [p: 10])
        #expect(try s.seenKeys([key(1), key(2), key(3), key(4), key(5)], notBefore: 0) == [key(1), key(2)], "refused commits' keys absent")
        #expect(try s.unpublishedFiles().map(\.file.finalPath) == [staged("f1").finalPath], "refused commits' files absent")
        #expect(try s.totals() == ["total": 2, "valid": 2])
        _ = try s.commit(commit([p: OffsetAdvance(expected: 10, next: 15)], keys: [key(5)]))
        #expect(try s.storedOffsets([p]) == [p: 15])
    }

    @Test(arguments: StoreKind.allCases)
    func keysExpireByTimeAndExpiredKeysAreRestamped(kind: StoreKind) throws {
        let s = try kind.fresh("ttl").store
        _ = try s.commit(commit([:], keys: [key(1), key(2)], at: 1_000))
        _ = try s.commit(commit([:], keys: [key(3)], at: 200_000))
        #expect(try s.seenKeys([key(1), key(3)], notBefore: 1_000) == [key(1), key(3)])
        #expect(try s.seenKeys([key(1), key(3)], notBefore: 1_001) == [key(3)], "expired keys are not seen")
        let many = (100..<3_100).map(key)
        _ = try s.commit(commit([:], keys: many, at: 300_000))
        #expect(try s.seenKeys(many + [key(99)], notBefore: 0) == Set(many))
        var again = commit([:], keys: [key(1)], at: 400_000)
        again.dedupNotBefore = 1_001
        _ = try s.commit(again)
        #expect(try s.seenKeys([key(1), key(2)], notBefore: 1_001) == [key(1)], "key 1 re-stamped")
        var live = commit([:], keys: [key(2), key(3)], at: 400_000)
        live.dedupNotBefore = 1_000
        #expect(throws: DedupRace.self) { _ = try s.commit(live) }
        // Expired within the same day (a TTL shorter than a day): re-stamped too, and live again after.
        _ = try s.commit(commit([:], keys: [key(7)], at: 500_000))
        var sameDay = commit([:], keys: [key(7), key(8)], at: 500_100)
        sameDay.dedupNotBefore = 500_050
        _ = try s.commit(sameDay)
        #expect(try s.seenKeys([key(7), key(8)], notBefore: 500_050) == [key(7), key(8)])
        sameDay.dedupNotBefore = 500_000
        #expect(throws: DedupRace.self) { _ = try s.commit(sameDay) }
    }

    @Test(arguments: StoreKind.allCases)
    func filesArePublishedAndReplacedAndTotalsAccumulate(kind: StoreKind) throws {
        let s = try kind.fresh("files").store
        let id1 = try s.commit(commit([p: OffsetAdvance(expected: nil, next: 3)], files: [staged("a"), staged("b")],
                                      totals: ["total": 3, "valid": 2, "dlq_schema": 1]))
        let id2 = try s.commit(commit([p: OffsetAdvance(expected: 3, next: 5)], files: [staged("c", partition: "date=2025-10-31")],
                                      totals: ["total": 2, "valid": 1, "duplicates": 1, "invalid": 0]))
        #expect(id2 > id1)
        #expect(try s.totals() == ["total": 5, "valid": 3, "dlq_schema": 1, "duplicates": 1])
        #expect(Set(try s.unpublishedFiles().map(\.commitID)) == [id1, id2])
        try s.markPublished(commitIDs: [id1])
        #expect(try s.unpublishedFiles().map(\.file.finalPath) == [staged("c", partition: "date=2025-10-31").finalPath])
        #expect(try s.publishedFiles(hivePartition: "date=2025-10-30").map(\.finalPath) == [staged("a").finalPath, staged("b").finalPath])
        let id3 = try s.replaceFiles(removing: [staged("a").finalPath, staged("b").finalPath], adding: [staged("ab")], owner: "compactor")
        #expect(id3 > id2)
        #expect(try s.publishedFiles(hivePartition: "date=2025-10-30").isEmpty)
        #expect(throws: StoreError.self) { _ = try s.replaceFiles(removing: [staged("zz").finalPath], adding: [staged("x")], owner: "c") }
        #expect(try s.unpublishedFiles().map(\.file.finalPath).sorted() == [staged("ab").finalPath, staged("c", partition: "date=2025-10-31").finalPath])
    }

    @Test(arguments: StoreKind.allCases)
    func marksPointersFactsAndPositions(kind: StoreKind) throws {
        let s = try kind.fresh("marks").store
        try s.recordDeadLetterMarks([DeadLetterMark(dlqTopic: "d", dlqPartition: 0, scanFrom: 9)], for: p)
        try s.recordDeadLetterMarks([DeadLetterMark(dlqTopic: "d", dlqPartition: 0, scanFrom: 4),
                                     DeadLetterMark(dlqTopic: "d", dlqPartition: 1, scanFrom: 7)], for: p)
        #expect(Set(try s.deadLetterMarks(for: p)) == [DeadLetterMark(dlqTopic: "d", dlqPartition: 0, scanFrom: 4),
                                                        DeadLetterMark(dlqTopic: "d", dlqPartition: 1, scanFrom: 7)], "the lower mark is kept")
        var c = commit([p: OffsetAdvance(expected: nil, next: 8, fingerprint: RecordFingerprint(timestampMs: 1_700, valueHash: .max))])
        c.deadLetterMarks = [p: [DeadLetterMark(dlqTopic: "d", dlqPartition: 0, scanFrom: 12)]]
        c.tablePointers = [TablePointerUpdate(table: "lake.t", expected: nil, new: "m1.json")]
        _ = try s.commit(c)
        #expect(try s.deadLetterMarks(for: p).first { $0.dlqPartition == 0 }?.scanFrom == 12, "a commit moves the mark")
        #expect(try s.storedPositions([p]) == [p: StoredPosition(next: 8, fingerprint: RecordFingerprint(timestampMs: 1_700, valueHash: .max))])
        #expect(try s.tablePointer("lake.t") == "m1.json")
        var stale = commit([p: OffsetAdvance(expected: 8, next: 9)])
        stale.tablePointers = [TablePointerUpdate(table: "lake.t", expected: nil, new: "m2.json")]
        #expect(throws: TablePointerConflict.self) { _ = try s.commit(stale) }
        #expect(try s.storedOffsets([p]) == [p: 8], "the refused pointer refused the offsets too")
        stale.tablePointers = [TablePointerUpdate(table: "lake.t", expected: "m1.json", new: "m2.json")]
        _ = try s.commit(stale)
        #expect(try s.tablePointer("lake.t") == "m2.json")
        #expect(try s.metaValue("x") == nil)
        try s.setMetaValue("x", "1")
        try s.setMetaValue("x", "2")
        #expect(try s.metaValue("x") == "2")
    }

    /// Naming the lookups of its keys (`CheckpointCommit.keyLookups`) lets a commit skip reading what cannot hold
    /// them, never a key another instance stored after those lookups.
    @Test(arguments: StoreKind.allCases)
    func aKeyAnotherInstanceStoredAfterTheNamedLookupIsARace(kind: StoreKind) throws {
        let fresh = try kind.fresh("named-lookup")
        let (s1, s2) = (fresh.store, try fresh.open())
        _ = try s1.commit(commit([:], keys: [key(1)], at: 1_000))
        let from = s1.lookupsStarted
        #expect(try s1.seenKeys([key(2), key(3)], notBefore: 0).isEmpty)
        var c = commit([:], keys: [key(2), key(3)], at: 1_100)
        c.keyLookups = from..<s1.lookupsStarted
        #expect(c.keyLookups.count == 1, "the store numbers its lookups")
        _ = try s2.commit(commit([:], keys: [key(3)], at: 1_050))
        do {
            _ = try s1.commit(c)
            Issue.record("key 3 committed twice")
        } catch let race as DedupRace {
            #expect(race.conflicting == [key(3)])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func twoInstancesFenceEachOther(kind: StoreKind) throws {
        let fresh = try kind.fresh("fence")
        let (s1, s2) = (fresh.store, try fresh.open())
        _ = try s2.commit(commit([p: OffsetAdvance(expected: nil, next: 5)], keys: [key(1)], owner: "s2"))
        #expect(throws: OffsetConflict.self) {
            _ = try s1.commit(commit([p: OffsetAdvance(expected: nil, next: 7)], keys: [key(2)], owner: "s1"))
        }
        #expect(try s1.seenKeys([key(1), key(2)], notBefore: 0) == [key(1)])
        _ = try s1.commit(commit([p: OffsetAdvance(expected: 5, next: 9)], keys: [key(2)], owner: "s1"))
        #expect(throws: DedupRace.self) {
            _ = try s2.commit(commit([p: OffsetAdvance(expected: 9, next: 11)], keys: [key(2)], owner: "s2"))
        }
        // Concurrent commits from both instances on distinct partitions all land; shared keys land once.
        let parts = (1...2).map { SourcePartition(topic: "t", partition: Int32($0)) }
        let races = LockedBox(0)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let s = i == 0 ? s1 : s2
            var expected: Int64? = nil
            for n in 0..<20 {
                do {
                    _ = try s.commit(commit([parts[i]: OffsetAdvance(expected: expected, next: Int64(n + 1))],
                                            keys: [key(10_000 + i * 100 + n), key(20_000 + n)], totals: ["total": 1]))
                } catch is DedupRace {
                    races.value += 1
                    _ = try! s.commit(commit([parts[i]: OffsetAdvance(expected: expected, next: Int64(n + 1))],
                                             keys: [key(10_000 + i * 100 + n)], totals: ["total": 1]))
                } catch { Issue.record("\(error)") }
                expected = Int64(n + 1)
            }
        }
        #expect(races.value == 20, "each shared key was refused to exactly one of the two")
        #expect(try s1.storedOffsets(parts) == [parts[0]: 20, parts[1]: 20])
        #expect(try s2.totals()["total"] == 40)
        #expect(try s1.seenKeys((0..<20).map { key(20_000 + $0) }, notBefore: 0).count == 20)
    }

    @Test(arguments: StoreKind.allCases)
    func restoreAddsFilesAndKeys(kind: StoreKind) throws {
        let s = try kind.fresh("restore").store
        var batch = LakeRestoreBatch()
        batch.files = [staged("r1"), staged("r2")]
        batch.keys = [(key(1), 1_000), (key(2), 90_000), (key(1), 2_000)]
        try s.restore(batch)
        try s.restore(batch)
        #expect(try s.publishedFiles(hivePartition: "date=2025-10-30").map(\.finalPath) == [staged("r1").finalPath, staged("r2").finalPath])
        #expect(try s.seenKeys([key(1), key(2), key(3)], notBefore: 1_500) == [key(1), key(2)], "key 1 keeps its later time")
        #expect(try s.seenKeys([key(1), key(2)], notBefore: 2_001) == [key(2)])
        #expect(try s.stats().partitions.isEmpty)
    }

    /// The SQL catalog's row (`iceberg_tables`, the JDBC catalog's layout) moves with the table pointer, by the same
    /// compare-and-set, in the commit's transaction: created by the first commit, moved by the next, and a row another
    /// catalog client moved meanwhile refuses the whole commit.
    @Test(arguments: StoreKind.allCases)
    func catalogRowMovesWithThePointerAndAStaleOneRefusesTheCommit(kind: StoreKind) throws {
        let fresh = try kind.fresh("catalog")
        let s = fresh.store
        let table = CatalogTableName(catalogName: "weir", namespace: "pi2", name: "events")
        func row() throws -> [String?]? {
            try fresh.sql("""
                SELECT metadata_location, previous_metadata_location, iceberg_type FROM iceberg_tables
                WHERE catalog_name = 'weir' AND table_namespace = 'pi2' AND table_name = 'events'
                """).first
        }
        func move(_ expected: String?, _ new: String, offsets: OffsetAdvance) -> CheckpointCommit {
            var c = commit([p: offsets], keys: [key(Int(offsets.next))], files: [staged("f\(offsets.next)")], totals: ["total": 1])
            c.tablePointers = [TablePointerUpdate(table: "iceberg:weir:pi2.events", expected: expected, new: new, catalogTable: table)]
            return c
        }
        _ = try s.commit(move(nil, "file:///l/m/00000-a.metadata.json", offsets: OffsetAdvance(expected: nil, next: 10)))
        #expect(try row() == ["file:///l/m/00000-a.metadata.json", nil, "TABLE"])
        #expect(try fresh.sql("SELECT property_value FROM iceberg_namespace_properties WHERE catalog_name = 'weir' AND namespace = 'pi2'")
                == [["true"]], "the namespace exists for catalog clients")
        _ = try s.commit(move("file:///l/m/00000-a.metadata.json", "file:///l/m/00001-b.metadata.json",
                              offsets: OffsetAdvance(expected: 10, next: 20)))
        #expect(try row() == ["file:///l/m/00001-b.metadata.json", "file:///l/m/00000-a.metadata.json", "TABLE"])

        // Another catalog client (pyiceberg, Spark) moved the row: the commit is refused whole.
        _ = try fresh.sql("UPDATE iceberg_tables SET metadata_location = 'file:///l/m/00002-x.metadata.json'")
        let stale = move("file:///l/m/00001-b.metadata.json", "file:///l/m/00002-c.metadata.json", offsets: OffsetAdvance(expected: 20, next: 30))
        #expect(throws: TablePointerConflict.self) { _ = try s.commit(stale) }
        #expect(try s.storedOffsets([p]) == [p: 20])
        #expect(try s.tablePointer("iceberg:weir:pi2.events") == "file:///l/m/00001-b.metadata.json")
        #expect(try s.seenKeys([key(30)], notBefore: 0).isEmpty, "the refused commit's keys absent")
        #expect(try !s.unpublishedFiles().map(\.file.finalPath).contains(staged("f30").finalPath), "the refused commit's files absent")
        #expect(try s.totals()["total"] == 2)
        #expect(try row()?.first == "file:///l/m/00002-x.metadata.json", "the other client's row stays")
    }
}
