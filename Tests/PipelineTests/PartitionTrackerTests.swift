import Testing
@testable import Pipeline

@Suite struct PartitionTrackerTests {
    let p = SourcePartition(topic: "t", partition: 0)
    let q = SourcePartition(topic: "t", partition: 1)

    @Test func acceptsOnlyAssignedPartitionsFromTheStoredOffset() {
        var t = PartitionTracker()
        #expect(!t.accepts(p, offset: 0))
        t.assign([p, q], stored: [p: 10])
        #expect(Set(t.assigned) == [p, q])
        #expect(!t.accepts(p, offset: 9))
        #expect(t.accepts(p, offset: 10))
        #expect(t.accepts(q, offset: 0), "nothing stored: anything is accepted")
        #expect(!t.accepts(SourcePartition(topic: "other", partition: 0), offset: 100))
        #expect(!t.hasProgress)
        #expect(t.advances.isEmpty)
    }

    @Test func advanceCommitAndAdvances() {
        var t = PartitionTracker()
        t.assign([p, q], stored: [p: 10])
        t.advance(p, offset: 10)
        t.advance(p, offset: 11)
        #expect(t.hasProgress)
        #expect(!t.accepts(p, offset: 11), "already processed")
        #expect(t.accepts(p, offset: 12))
        #expect(t.advances == [p: OffsetAdvance(expected: 10, next: 12)], "q has no progress and is absent")
        t.advance(q, offset: 3)
        #expect(t.advances[q] == OffsetAdvance(expected: nil, next: 4))
        t.didCommit()
        #expect(!t.hasProgress)
        #expect(t.advances.isEmpty)
        t.advance(p, offset: 12)
        #expect(t.advances == [p: OffsetAdvance(expected: 12, next: 13)], "the committed offset is now expected")
        t.advance(SourcePartition(topic: "x", partition: 9), offset: 1) // unassigned: ignored
        #expect(t.advances.count == 1)
    }

    @Test func rollbackRewindsToStoredOrFirstSinceCommit() {
        var t = PartitionTracker()
        t.assign([p, q], stored: [p: 10])
        t.advance(p, offset: 10); t.advance(p, offset: 11)
        t.advance(q, offset: 5); t.advance(q, offset: 6)
        let rewind = t.rollback(refreshed: [p: 10])
        #expect(rewind == [p: 10, q: 5])
        #expect(!t.hasProgress)
        #expect(t.accepts(p, offset: 10) && !t.accepts(p, offset: 9))
        #expect(t.accepts(q, offset: 5) && !t.accepts(q, offset: 4))
        // Without progress and an unchanged store, nothing to rewind.
        #expect(t.rollback(refreshed: [p: 10]).isEmpty)
    }

    @Test func rollbackFollowsAnotherWritersOffsets() {
        var t = PartitionTracker()
        t.assign([p], stored: [p: 10])
        t.advance(p, offset: 10)
        // Another writer committed up to 20 meanwhile.
        #expect(t.rollback(refreshed: [p: 20]) == [p: 20])
        #expect(!t.accepts(p, offset: 19) && t.accepts(p, offset: 20))
        t.advance(p, offset: 20)
        #expect(t.advances == [p: OffsetAdvance(expected: 20, next: 21)])
        // Moved without local progress: still rewound.
        t.didCommit()
        #expect(t.rollback(refreshed: [p: 30]) == [p: 30])
    }

    @Test func assignReplacesState() {
        var t = PartitionTracker()
        t.assign([p], stored: [:])
        t.advance(p, offset: 4)
        t.assign([q], stored: [q: 7])
        #expect(!t.hasProgress)
        #expect(!t.accepts(p, offset: 100))
        #expect(!t.accepts(q, offset: 6) && t.accepts(q, offset: 7))
    }
}

/// The hand-off used by commits that run while processing goes on.
@Suite struct PartitionTrackerHandOffTests {
    let a = SourcePartition(topic: "t", partition: 0)
    let b = SourcePartition(topic: "t", partition: 1)

    @Test func commitPromotesOnlyHandedOffProgress() {
        var t = PartitionTracker()
        t.assign([a, b], stored: [a: 10, b: 20])
        t.advance(a, offset: 10); t.advance(a, offset: 11)
        #expect(t.advances == [a: OffsetAdvance(expected: 10, next: 12)])
        t.handOff()
        #expect(!t.hasProgress)
        // Progress while the commit is in flight, on a partition the commit does not cover and on one it does.
        t.advance(b, offset: 20)
        t.advance(a, offset: 12)
        t.didCommit()
        #expect(t.storedOffset(a) == 12)
        #expect(t.storedOffset(b) == 20, "b's progress was not handed off, so it is not durable")
        #expect(t.advances == [a: OffsetAdvance(expected: 12, next: 13), b: OffsetAdvance(expected: 20, next: 21)])
    }

    @Test func rollbackWithWorkInFlightRewindsToItsStart() {
        var t = PartitionTracker()
        t.assign([a], stored: [:])
        t.advance(a, offset: 5); t.advance(a, offset: 6)
        t.handOff()
        t.advance(a, offset: 7)
        #expect(t.rollback(refreshed: [:]) == [a: 5])
        #expect(t.accepts(a, offset: 5))
    }
}
