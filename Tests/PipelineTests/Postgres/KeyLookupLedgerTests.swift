import Testing
@testable import Pipeline

/// The bookkeeping that lets a PostgreSQL commit skip the other days' key partitions: it may only do so when
/// every key was looked up and found absent, and every commit since those lookups was the store's own.
@Suite struct KeyLookupLedgerTests {
    @Test func everyKeyMustHaveBeenFoundAbsentWithACutOffNoLaterThanTheCommits() {
        var ledger = KeyLookupLedger()
        ledger.recordLookup(absent: [key(1), key(2)], generation: 5, notBefore: 100, commitsBefore: 0)
        ledger.recordLookup(absent: [key(3)], generation: 7, notBefore: 100, commitsBefore: 0)
        #expect(ledger.absentSince([key(1), key(3)], notBefore: 100) == 5, "the oldest lookup counts")
        #expect(ledger.absentSince([key(1), key(4)], notBefore: 100) == nil, "key 4 was never looked up")
        #expect(ledger.absentSince([key(1)], notBefore: 99) == nil, "a key expired at the lookup may be live for the commit")
        #expect(ledger.absentSince([key(2)], notBefore: 500) == 5)
    }

    @Test func onlyAnUnbrokenRunOfOwnCommitsCounts() {
        var ledger = KeyLookupLedger()
        ledger.recordCommit(keys: [key(10)], generation: 6)
        ledger.recordCommit(keys: [key(11)], generation: 7)
        ledger.recordCommit(keys: [key(12)], generation: 9)
        #expect(ledger.onlyOwnCommits(after: 5, through: 5), "nobody committed since")
        #expect(ledger.onlyOwnCommits(after: 5, through: 7))
        #expect(!ledger.onlyOwnCommits(after: 5, through: 9), "generation 8 is another instance's")
        #expect(!ledger.onlyOwnCommits(after: 4, through: 6), "generation 5 is another instance's")
        #expect(!ledger.onlyOwnCommits(after: 9, through: 8), "the counter went back (a restored database)")
    }

    @Test func aKeyStoredSinceItsLookupIsNotAbsent() {
        var ledger = KeyLookupLedger()
        ledger.recordLookup(absent: [key(1), key(2)], generation: 5, notBefore: 0, commitsBefore: 0)
        ledger.recordCommit(keys: [key(1)], generation: 6)
        #expect(ledger.absentSince([key(1)], notBefore: 0) == nil)
        #expect(ledger.absentSince([key(2)], notBefore: 0) == 5)
        // A lookup that started before commit 7 and read the generation before it: its "absent" is stale for key 3.
        let before = ledger.commitsRecorded
        ledger.recordCommit(keys: [key(3)], generation: 7)
        ledger.recordLookup(absent: [key(3), key(4)], generation: 6, notBefore: 0, commitsBefore: before)
        #expect(ledger.absentSince([key(3)], notBefore: 0) == nil)
        #expect(ledger.absentSince([key(4)], notBefore: 0) == 6)
        // A lookup that overlapped more commits than the ledger keeps the keys of records nothing.
        let long = ledger.commitsRecorded
        for g in 8...(8 + Int64(KeyLookupLedger.overlapDepth)) { ledger.recordCommit(keys: [key(Int(g) * 100)], generation: g) }
        ledger.recordLookup(absent: [key(5)], generation: 7, notBefore: 0, commitsBefore: long)
        #expect(ledger.absentSince([key(5)], notBefore: 0) == nil)
    }

    @Test func pastItsCapacityItForgetsLookupsButNotRecentCommits() {
        var ledger = KeyLookupLedger(capacity: 4)
        ledger.recordCommit(keys: [key(1)], generation: 3)
        ledger.recordLookup(absent: [key(2), key(3)], generation: 3, notBefore: 0, commitsBefore: 1)
        #expect(ledger.count == 3)
        let before = ledger.commitsRecorded
        ledger.recordLookup(absent: [key(4), key(5)], generation: 2, notBefore: 0, commitsBefore: before)
        #expect(ledger.absentSince([key(2)], notBefore: 0) == nil, "forgotten")
        #expect(ledger.absentSince([key(1)], notBefore: 0) == nil, "still known as stored, not absent")
        #expect(ledger.count == 3)
    }
}
