import Testing
@testable import Pipeline

/// The bookkeeping that lets a commit check its keys only where another writer may have stored them since their
/// lookups (the key runs committed since; for PostgreSQL, no other day's partition when every commit since was the
/// store's own): only when every lookup its keys came from was answered and remembered, none with a later TTL
/// cut-off than the commit's.
@Suite struct KeyLookupLedgerTests {
    @Test func theOldestGenerationOfTheNamedLookupsCounts() {
        var ledger = KeyLookupLedger()
        let first = ledger.startLookup(), second = ledger.startLookup(), third = ledger.startLookup()
        #expect([first, second, third] == [0, 1, 2] && ledger.started == 3, "numbered as they start")
        ledger.recordLookup(second, generation: 7, notBefore: 100)
        ledger.recordLookup(first, generation: 5, notBefore: 100)
        #expect(ledger.absentSince(lookups: 0..<2, notBefore: 100) == 5, "answered out of order; the oldest counts")
        #expect(ledger.absentSince(lookups: 1..<2, notBefore: 500) == 7)
        #expect(ledger.absentSince(lookups: 0..<3, notBefore: 100) == nil, "lookup 2 was never answered")
        #expect(ledger.absentSince(lookups: 0..<2, notBefore: 99) == nil, "a key expired at the lookup may be live for the commit")
        #expect(ledger.absentSince(lookups: 2..<2, notBefore: 100) == nil, "no lookup named: unknown")
    }

    @Test func onlyAnUnbrokenRunOfOwnCommitsCounts() {
        var ledger = KeyLookupLedger()
        ledger.recordCommit(generation: 6)
        ledger.recordCommit(generation: 7)
        ledger.recordCommit(generation: 9)
        #expect(ledger.onlyOwnCommits(after: 5, through: 5), "nobody committed since")
        #expect(ledger.onlyOwnCommits(after: 5, through: 7))
        #expect(!ledger.onlyOwnCommits(after: 5, through: 9), "generation 8 is another instance's")
        #expect(!ledger.onlyOwnCommits(after: 4, through: 6), "generation 5 is another instance's")
        #expect(!ledger.onlyOwnCommits(after: 9, through: 8), "the counter went back (a restored database)")
    }

    @Test func pastItsCapacityItForgetsTheOldestLookups() {
        var ledger = KeyLookupLedger(lookupCapacity: 2)
        for _ in 0..<5 {
            let n = ledger.startLookup()
            ledger.recordLookup(n, generation: 10 + n, notBefore: 0)
        }
        #expect(ledger.absentSince(lookups: 3..<5, notBefore: 0) == 13)
        #expect(ledger.absentSince(lookups: 0..<1, notBefore: 0) == nil, "forgotten")
        #expect(ledger.absentSince(lookups: 2..<5, notBefore: 0) == nil, "more lookups than it keeps")
    }
}
