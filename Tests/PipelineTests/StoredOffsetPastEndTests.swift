import Foundation
import Testing
@testable import Pipeline

/// A lake whose checkpoint store is ahead of the topic (topic recreated, or another cluster) stops with a clear
/// error instead of dropping the topic's records as already processed.
@Suite struct StoredOffsetPastEndTests {
    let partition = SourcePartition(topic: "pi2_events", partition: 0)

    /// A lake whose store resumes partition 0 at `next`.
    func harness(_ name: String, storedNext next: Int64) throws -> Harness {
        let h = try Harness(name)
        var c = CheckpointCommit()
        c.offsets = [partition: OffsetAdvance(expected: nil, next: next)]
        c.committedAt = Int64(Date().timeIntervalSince1970)
        _ = try h.store.commit(c)
        return h
    }

    @Test func aStoredOffsetPastThePartitionsEndStopsTheRun() async throws {
        let h = try harness("past-end", storedNext: 13_031)
        let source = InMemoryRecordSource(values: PipelineRunnerTests.validEvents(10))
        do {
            try await h.run(source)
            Issue.record("the run should have stopped")
        } catch let error as PipelineError {
            #expect(error.message.contains("resumes pi2_events[0] at offset 13031, but that partition ends at offset 10"))
            #expect(error.message.contains("fix: land this topic into a new lake.out_dir"))
        }
        #expect(try LakeOracle.rows(h.root).isEmpty)
        #expect(try h.store.storedOffsets([partition]) == [partition: 13_031], "the store is left as it was")
    }

    @Test func aStoredOffsetAtThePartitionsEndIsFine() async throws {
        let h = try harness("at-end", storedNext: 10)
        let runner = try await h.run(InMemoryRecordSource(values: PipelineRunnerTests.validEvents(10)))
        #expect(runner.committedCounts.total == 0, "everything was processed before")
    }
}

/// Records deleted by retention before the lake read them are reported, not silently skipped.
@Suite struct RetentionLossTests {
    @Test func recordsDeletedBeforeTheStoredOffsetAreCounted() async throws {
        let h = try Harness("retention-loss")
        let partition = SourcePartition(topic: "pi2_events", partition: 0)
        var c = CheckpointCommit()
        c.offsets = [partition: OffsetAdvance(expected: nil, next: 3)]
        c.committedAt = Int64(Date().timeIntervalSince1970)
        _ = try h.store.commit(c)
        // A rebalance at poll 2, before any commit, finds the same gap again: it is counted once.
        let source = InMemoryRecordSource(values: PipelineRunnerTests.validEvents(20), rebalanceAtPolls: [2])
        source.lowWatermark = 8  // offsets 3…7 were deleted before this lake read them
        let runner = try await h.run(source)
        #expect(source.rebalances == 1)
        #expect(runner.recordsLostToRetention == 5)
        #expect(runner.committedCounts.total == 12, "offsets 8…19")
        #expect(try h.store.storedOffsets([partition]) == [partition: 20])
    }
}
