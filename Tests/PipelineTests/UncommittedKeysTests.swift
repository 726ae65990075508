import Testing
@testable import Pipeline

/// The dedup window of uncommitted work (issue 17): a key stays a duplicate from its acceptance until the commit
/// that carries it ends, and is forgotten when the work is dropped. No store, no disk.
@Suite struct UncommittedKeysTests {
    let a = DedupKey(high: 0, low: 1), b = DedupKey(high: 0, low: 2), c = DedupKey(high: 1, low: 0)

    /// Accepts each key in turn as `MicroBatchProcessor` does (checked against the window, then added unless
    /// pending); whether each was new.
    func insert(_ keys: inout UncommittedKeys, _ each: DedupKey...) -> [Bool] {
        each.map { !keys.contains($0) && keys.insertNotCommitting($0) }
    }

    @Test func aKeyIsADuplicateWithinTheWindowAndPendingKeepsTheirOrder() {
        var keys = UncommittedKeys()
        #expect(!keys.contains(b))
        #expect(insert(&keys, b, a, b) == [true, true, false], "a second occurrence is a duplicate")
        #expect(keys.contains(a) && keys.contains(b) && !keys.contains(c))
        #expect(keys.pending == [b, a], "accepted order, each key once")
    }

    @Test func handedOffKeysStayDuplicatesUntilTheCommitEnds() {
        var keys = UncommittedKeys()
        _ = insert(&keys, a, b)
        let handedOff = keys.handOff(reservingCapacity: 16)
        #expect(handedOff == [a, b])
        #expect(keys.pending.isEmpty)
        #expect(keys.contains(a), "the commit in flight has not made it the store's yet")
        #expect(insert(&keys, a, c) == [false, true], "a key being committed is a duplicate for the next batch")
        #expect(keys.pending == [c])

        keys.commitEnded()
        #expect(!keys.contains(a) && !keys.contains(b), "the store answers for a committed key")
        #expect(keys.contains(c), "work buffered after the hand-off stays in the window")
        #expect(insert(&keys, a) == [true], "the window no longer holds it; the store lookup decides")
    }

    @Test func insertingAKeyKnownNotToBeCommittedChecksOnlyThePendingOnes() {
        var keys = UncommittedKeys()
        let first = keys.insertNotCommitting(a), again = keys.insertNotCommitting(a)
        #expect(first && !again, "a pending key is still a duplicate")
        _ = keys.handOff()
        let other = keys.insertNotCommitting(b)
        #expect(other && keys.pending == [b])
        #expect(keys.contains(a), "the keys being committed are left as they were")
    }

    @Test func twoHandOffsBeforeTheCommitEndsKeepBoth() {
        var keys = UncommittedKeys()
        _ = insert(&keys, a)
        _ = keys.handOff()
        _ = insert(&keys, b)
        let second = keys.handOff()
        #expect(second == [b])
        #expect(keys.contains(a) && keys.contains(b))
        keys.commitEnded()
        #expect(!keys.contains(a) && !keys.contains(b))
    }

    @Test func droppedWorkForgetsEveryKey() {
        var keys = UncommittedKeys()
        _ = insert(&keys, a)
        _ = keys.handOff()
        _ = insert(&keys, b)
        keys.removeAll(reservingCapacity: 8)
        #expect(!keys.contains(a) && !keys.contains(b) && keys.pending.isEmpty)
        #expect(insert(&keys, a, b) == [true, true], "dropped work is read again and its keys accepted again")
    }
}
