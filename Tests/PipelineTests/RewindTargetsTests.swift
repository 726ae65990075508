import Testing
@testable import Pipeline

/// Where dropped work is read again from: never past a dropped record, never before the store's offset.
@Suite struct RewindTargetsTests {
    let p0 = SourcePartition(topic: "t", partition: 0)
    let p1 = SourcePartition(topic: "t", partition: 1)

    func record(_ p: SourcePartition, _ offset: Int64) -> SourceRecord {
        SourceRecord(topic: p.topic, partition: p.partition, offset: offset, key: nil, value: [1], timestampMs: nil)
    }

    @Test func aNewAssignmentGoesBackToTheStoredOffset() {
        let poll = SourcePoll(records: [record(p0, 40), record(p1, 7)], assignmentGeneration: 2, assignment: [p0, p1])
        #expect(RewindTargets.afterAssignment(poll, stored: [p0: 30, p1: 5], dropped: [p0: 35]) == [p0: 30, p1: 5])
    }

    @Test func withNothingStoredTheEarliestDroppedRecordWins() {
        let poll = SourcePoll(records: [record(p0, 40), record(p0, 41), record(p1, 7)], assignmentGeneration: 2,
                              assignment: [p0, p1])
        #expect(RewindTargets.afterAssignment(poll, stored: [:], dropped: [p0: 12]) == [p0: 12, p1: 7],
                "the poll's first record would skip the dropped work read before it")
    }

    @Test func partitionsNoLongerAssignedAreLeftAlone() {
        let poll = SourcePoll(records: [record(p1, 7)], assignmentGeneration: 3, assignment: [p0])
        #expect(RewindTargets.afterAssignment(poll, stored: [p0: 3], dropped: [p1: 2]) == [:])
    }

    @Test func aRefusalAlsoRewindsOverTheDiscardedPrefetch() {
        var tracker = PartitionTracker()
        tracker.assign([p0, p1], stored: [p0: 10])
        let rolledBack = tracker.rollback(refreshed: [p0: 10])
        #expect(RewindTargets.afterRefusal(rolledBack: rolledBack, discarded: [record(p0, 15), record(p1, 4), record(p1, 5)],
                                           stored: [p0: 10], tracker: tracker) == [p0: 10, p1: 4],
                "p0 to its stored offset, p1 (nothing stored) to its first discarded record")
    }
}
