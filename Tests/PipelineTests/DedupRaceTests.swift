import EventSchema
import Foundation
import Testing
@testable import Pipeline

/// Two instances sharing a lake: keys landed by the other one after this one looked them up cost this one only
/// the conflicting rows, not a re-read of its whole batch; the DLQ file staged for the commit is kept for the retry.
/// With a single attempt the commit is refused and the batch read again (also when that took longer than
/// `--until-idle`), and the file DLQ's records, whose staged file went with the refused commit, are dead-lettered
/// again rather than lost.
@Suite struct DedupRaceTests {
    @Test(arguments: [3, 1])
    func aRaceDropsOnlyTheConflictingRowsAndKeepsTheDeadLetters(attempts: Int) async throws {
        let h = try Harness("dedup-race-\(attempts)")
        let values = PipelineRunnerTests.validEvents(40) + [Array("{broken".utf8), Array("[2]".utf8)]
        let source = InMemoryRecordSource(values: values)
        let evaluator = RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: h.config)
        func key(_ offset: Int) throws -> DedupKey {
            let r = SourceRecord(topic: "pi2_events", partition: 0, offset: Int64(offset), key: nil, value: values[offset], timestampMs: nil)
            guard case .accepted(let a) = evaluator.evaluate(r, nowMicros: 0), let key = a.key else { throw TestFailure("rejected") }
            return key
        }
        let raced = [try key(5), try key(17)]
        let other = try SQLiteCheckpointStore(path: h.layout.storePath)
        // Right after the batch's lookups (the observer runs after them), the other instance lands e5 and e17.
        let done = LockedBox(false)
        let observer = PipelineObserver(batchProcessed: { _ in
            guard !done.value else { return }
            done.value = true
            var c = CheckpointCommit()
            c.dedupKeys = raced
            c.committedAt = Int64(Date().timeIntervalSince1970)
            c.owner = "other"
            _ = try! other.commit(c)
            // Longer than the idle timeout: a refused flush must not let the run exit as idle before it has read
            // its rewound records again.
            usleep(300_000)
        })
        var options = PipelineRunner.Options(untilIdle: .milliseconds(250))
        options.dedupRaceAttempts = attempts
        let runner = PipelineRunner(config: h.config, source: source, store: h.store,
                                    committer: try LakeCommitter(layout: h.layout, store: h.store, writerOptions: .init()),
                                    deadLetters: FileDeadLetterSink(), evaluator: evaluator, options: options, observer: observer)
        try await runner.run()
        #expect(done.value)
        #expect(source.seeks.count == (attempts > 1 ? 1 : 2), "a rewind only when the commit was refused: \(source.seeks)")
        #expect(runner.committedCounts.valid == 38)
        #expect(runner.committedCounts.duplicates == 2)
        let ids = try LakeOracle.rows(h.root).compactMap { $0["event_id"] as? String }
        #expect(ids.count == 38)
        #expect(!ids.contains("e5") && !ids.contains("e17"))
        #expect(try h.deadLetters().count == 2, "each invalid record is in the DLQ once")
        #expect(try h.store.storedOffsets([source.partition]) == [source.partition: 42])
        #expect(try h.store.totals()["duplicates"] == 2)
        #expect(Paths.files(under: h.layout.stagingRoot, suffix: ".tmp").isEmpty, "no staging file left behind")
    }
}
