import EventSchema
import Foundation
import Testing
@testable import Pipeline

/// `MicroBatchProcessor` looks a batch's new keys up once per slice evaluated in parallel, or once for the whole
/// batch when the store's lookups are round trips to a server (`CheckpointStore.prefersOneLookupPerBatch`) and the
/// batch is small. The batches are evaluated in `slices` slices whatever the machine's core count.
@Suite struct LookupGranularityTests {
    let slices = 3

    func records(_ n: Int) -> [SourceRecord] {
        (0..<n).map { i in
            let json = #"{"event_id":"e\#(500 + i)","ts":"2025-10-28T01:00:00Z","usuario_id":1,"accion":"view","monto":1.5}"#
            return SourceRecord(topic: "pi2_events", partition: 0, offset: Int64(i), key: nil, value: Array(json.utf8), timestampMs: nil)
        }
    }

    func run(oneLookupPerBatch: Bool, records count: Int = 1_000) throws -> (calls: [Int], counts: BatchCounts) {
        let sqlite = try SQLiteCheckpointStore(path: Paths.tempDir("granularity") + "/store.sqlite")
        let store = CountingLookups(sqlite, oneLookupPerBatch: oneLookupPerBatch)
        let config = PipelineConfig()
        let evaluator = RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: config)
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000
        let batch = records(count)
        // The last record's key is stored already: found whichever slice it falls in.
        guard case .accepted(let last) = evaluator.evaluate(batch[count - 1], nowMicros: now) else {
            Issue.record("the last record was not accepted")
            return ([], BatchCounts())
        }
        let key = try #require(last.key)
        var c = CheckpointCommit()
        c.dedupKeys = [key]
        c.committedAt = now / 1_000_000
        _ = try sqlite.commit(c)
        let processor = MicroBatchProcessor(evaluator: evaluator, store: store, config: config, evaluationSlices: slices)
        let counts = try processor.process(batch, nowMicros: now)
        return (store.calls.withLock { $0 }, counts)
    }

    @Test func aServerStoreGetsOneLookupPerBatch() throws {
        let (calls, counts) = try run(oneLookupPerBatch: true)
        #expect(calls == [1_000], "one call with every new key of the batch")
        #expect(counts.valid == 999 && counts.duplicates == 1)
    }

    /// A large batch (a PostgreSQL store's 5,000-record polls) is looked up per slice even on a server store: the
    /// slices' lookups run concurrently on their own connections and overlap the other slices' evaluation.
    @Test func aLargeBatchIsLookedUpPerSliceOnAServerStore() throws {
        let n = MicroBatchProcessor.sliceLookupMinimumRecords
        let (calls, counts) = try run(oneLookupPerBatch: true, records: n)
        #expect(calls.count == slices && calls.reduce(0, +) == n, "\(calls)")
        #expect(counts.valid == n - 1 && counts.duplicates == 1)
    }

    @Test func anInProcessStoreGetsOneLookupPerSlice() throws {
        let (calls, counts) = try run(oneLookupPerBatch: false)
        #expect(calls.count == slices && calls.reduce(0, +) == 1_000, "\(calls)")
        #expect(counts.valid == 999 && counts.duplicates == 1)
    }
}

/// A real store whose lookups are counted (the size of each call), and which asks for lookups per batch or not.
private final class CountingLookups: CheckpointStore, @unchecked Sendable {
    let base: CheckpointStore
    let prefersOneLookupPerBatch: Bool
    let calls = Guarded<[Int]>([])

    init(_ base: CheckpointStore, oneLookupPerBatch: Bool) {
        self.base = base
        prefersOneLookupPerBatch = oneLookupPerBatch
    }

    func seenKeys(_ keys: [DedupKey], notBefore: Int64) throws -> Set<DedupKey> {
        calls.withLock { $0.append(keys.count) }
        return try base.seenKeys(keys, notBefore: notBefore)
    }

    func storedOffsets(_ p: [SourcePartition]) throws -> [SourcePartition: Int64] { try base.storedOffsets(p) }
    func commit(_ commit: CheckpointCommit) throws -> Int64 { try base.commit(commit) }
    func unpublishedFiles() throws -> [UnpublishedFile] { try base.unpublishedFiles() }
    func markPublished(commitIDs: [Int64]) throws { try base.markPublished(commitIDs: commitIDs) }
    func deadLetterMarks(for p: SourcePartition) throws -> [DeadLetterMark] { try base.deadLetterMarks(for: p) }
    func recordDeadLetterMarks(_ m: [DeadLetterMark], for p: SourcePartition) throws { try base.recordDeadLetterMarks(m, for: p) }
    func pruneKeys(olderThan: Int64, limit: Int) throws -> Int { try base.pruneKeys(olderThan: olderThan, limit: limit) }
    func totals() throws -> [String: Int64] { try base.totals() }
    func stats() throws -> CheckpointStats { try base.stats() }
    func replaceFiles(removing: [String], adding: [StagedFile], owner: String) throws -> Int64 {
        try base.replaceFiles(removing: removing, adding: adding, owner: owner)
    }
    func publishedFiles(hivePartition: String) throws -> [StagedFile] { try base.publishedFiles(hivePartition: hivePartition) }
    func storedPositions(_ p: [SourcePartition]) throws -> [SourcePartition: StoredPosition] { try base.storedPositions(p) }
    func isEmpty() throws -> Bool { try base.isEmpty() }
    func metaValue(_ name: String) throws -> String? { try base.metaValue(name) }
    func setMetaValue(_ name: String, _ value: String) throws { try base.setMetaValue(name, value) }
    func restore(_ batch: LakeRestoreBatch) throws { try base.restore(batch) }
    func checkpointWAL() { base.checkpointWAL() }
    func tablePointer(_ table: String) throws -> String? { try base.tablePointer(table) }
    func claimPartitions(_ p: [SourcePartition], owner: String) throws -> PartitionClaim { try base.claimPartitions(p, owner: owner) }
    func permitDeliveries(_ p: [SourcePartition], owner: String, window: Duration) throws {
        try base.permitDeliveries(p, owner: owner, window: window)
    }
    func endDeliveries(_ p: [SourcePartition]?, owner: String) throws { try base.endDeliveries(p, owner: owner) }
}
