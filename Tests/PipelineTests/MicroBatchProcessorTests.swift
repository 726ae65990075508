import EventSchema
import Foundation
import Testing
@testable import Pipeline
import WeirTestSupport

/// The serial half of `MicroBatchProcessor.process`: duplicates against the window, the commit in flight and the
/// store, and the latest event time per partition, on batches whose partitions come in interleaved runs.
@Suite struct MicroBatchProcessorTests {
    func event(_ id: String, hour: Int) -> [UInt8] {
        Array(#"{"event_id":"\#(id)","ts":"2025-10-28T\#(String(format: "%02d", hour)):00:00Z","usuario_id":1,"accion":"view","monto":1.5}"#.utf8)
    }

    func record(_ partition: Int32, _ offset: Int64, _ value: [UInt8]) -> SourceRecord {
        SourceRecord(topic: "pi2_events", partition: partition, offset: offset, key: nil, value: value, timestampMs: nil)
    }

    @Test func duplicatesAndLatestEventTimePerPartition() throws {
        let store = try SQLiteCheckpointStore(path: Paths.tempDir("mbp") + "/store.sqlite")
        let config = PipelineConfig()
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let evaluator = RecordEvaluator(schema: schema, config: config)
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000
        // e99 is in the store already.
        var c = CheckpointCommit()
        c.dedupKeys = [try #require(key(of: event("e99", hour: 1), evaluator))]
        c.committedAt = now / 1_000_000
        _ = try store.commit(c)

        let processor = MicroBatchProcessor(evaluator: evaluator, store: store, config: config)
        let first = try processor.process([
            record(0, 0, event("e1", hour: 1)), record(0, 1, event("e2", hour: 2)),
            record(1, 0, event("e3", hour: 5)),
            record(0, 2, event("e1", hour: 9)),        // duplicate within the window: not the latest event time
            record(0, 3, event("e4", hour: 3)),
            record(1, 1, event("e99", hour: 8)),   // duplicate of the store
            record(1, 2, Array("not json".utf8)),
        ], nowMicros: now)
        #expect(first.total == 7 && first.valid == 4 && first.duplicates == 2 && first.invalid == 1)
        let p0 = SourcePartition(topic: "pi2_events", partition: 0), p1 = SourcePartition(topic: "pi2_events", partition: 1)
        #expect(processor.lastEventMicros[p0] == micros(hour: 3))
        #expect(processor.lastEventMicros[p1] == micros(hour: 5))

        _ = processor.takeWork()  // e1 … e4 are now being committed
        let second = try processor.process([record(1, 3, event("e3", hour: 6)), record(1, 4, event("e5", hour: 7))], nowMicros: now)
        #expect(second.duplicates == 1 && second.valid == 1, "a key of the commit in flight is still a duplicate")
        #expect(processor.lastEventMicros == [p1: micros(hour: 7)])
    }

    /// Handed-off work names the store's lookups since the previous hand-off (`PendingWork.keyLookups`): those
    /// that found its keys absent, so its commit can check them only against what was stored since.
    @Test func theWorkNamesTheLookupsOfItsKeys() throws {
        let store = try SQLiteCheckpointStore(path: Paths.tempDir("mbp-lookups") + "/store.sqlite")
        let config = PipelineConfig()
        let evaluator = RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: config)
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000
        let processor = MicroBatchProcessor(evaluator: evaluator, store: store, config: config)
        _ = try processor.process([record(0, 0, event("e1", hour: 1))], nowMicros: now)
        let first = processor.takeWork().keyLookups
        #expect(first.lowerBound == 0 && first.upperBound == store.lookupsStarted && !first.isEmpty)
        _ = try processor.process([record(0, 1, event("e2", hour: 1))], nowMicros: now)
        let second = processor.takeWork().keyLookups
        #expect(second.lowerBound == first.upperBound && second.upperBound == store.lookupsStarted && !second.isEmpty)
    }

    private func key(of value: [UInt8], _ evaluator: RecordEvaluator) -> DedupKey? {
        guard case .accepted(let a) = evaluator.evaluate(record(9, 0, value), nowMicros: 0) else { return nil }
        return a.key
    }

    /// The evaluation slices cover the batch in order, none empty, for any slice count: with 32 cores a batch of
    /// 257 records once made slices of 9 and the 30th started past the end.
    @Test func slicesCoverTheBatchForAnySliceCount() {
        for slices in [1, 2, 3, 4, 8, 16, 17, 32, 64, 96, 300] {
            for count in Array(0...600) + [999, 1_000, 4_999, 5_000, 5_001] {
                let ranges = MicroBatchProcessor.sliceRanges(count: count, maxSlices: slices)
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count, "\(count) in \(slices) slices")
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(ranges.count == (count >= 256 ? min(slices, count) : 1), "\(count) in \(slices) slices")
                if count >= 256 {
                    let sizes = ranges.map(\.count)
                    #expect(sizes.min()! >= 1 && sizes.max()! - sizes.min()! <= 1, "\(count) in \(slices) slices: \(sizes)")
                }
            }
        }
    }

    /// A batch evaluated in concurrent slices gives what one slice gives: the same counts, rows in the same order,
    /// the same dead letters and duplicates, whichever slice a record or its duplicate falls in. (`weir run`
    /// evaluates in one slice on 2 cores, so the concurrent path is exercised here.)
    @Test(arguments: [2, 3, 7])
    func concurrentSlicesMatchOneSlice(slices: Int) throws {
        let config = PipelineConfig()
        let evaluator = RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: config)
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000
        var random = SplitMix64(seed: 21)
        let batch: [SourceRecord] = (0..<1_500).map { i in
            let id = "e\(random.next() % 900)"  // ~40% repeat an earlier id, in this slice or another
            let value: [UInt8]
            switch random.next() % 10 {
            case 0: value = Array("{not json".utf8)
            case 1: value = Array(#"{"event_id":"\#(id)","ts":"2025-10-28T01:00:00Z","usuario_id":0,"accion":"view"}"#.utf8)
            default: value = event(id, hour: Int(random.next() % 24))
            }
            return record(Int32(i % 3), Int64(i), value)
        }
        func run(_ slices: Int) throws -> (BatchCounts, [[DedupKey?]], [Int64], [DedupKey]) {
            let store = try SQLiteCheckpointStore(path: Paths.tempDir("mbp-slices-\(slices)") + "/store.sqlite")
            let processor = MicroBatchProcessor(evaluator: evaluator, store: store, config: config, evaluationSlices: slices)
            let counts = try processor.process(batch, nowMicros: now)
            let work = processor.takeWork()
            let rows = work.buffers.keys.sorted().map { work.buffers[$0]!.rows.keys }
            return (counts, rows, work.deadLetters.map(\.sourceOffset), work.keys)
        }
        let one = try run(1), many = try run(slices)
        #expect(one.0.valid > 500 && one.0.duplicates > 300 && one.0.invalid > 200, "the batch mixes all three: \(one.0)")
        #expect(many.0 == one.0)
        #expect(many.1 == one.1, "rows per Hive partition, in order")
        #expect(many.2 == one.2, "dead letters, in order")
        #expect(many.3 == one.3, "the work's dedup keys")
    }

    private func micros(hour: Int) -> Int64 {
        (Int64(1_761_609_600) + Int64(hour) * 3600) * 1_000_000  // 2025-10-28T00:00:00Z + hour
    }
}
