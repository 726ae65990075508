import Foundation
import PostgresTestSupport
import Testing
@testable import Pipeline

/// The key generation of the PostgreSQL store: a commit that names the lookups of its keys, with only its own
/// commits since, reads no other day's partition; a commit of another instance in between, or a commit that names
/// no lookup, brings the full check back.
@Suite struct PostgresKeyGenerationTests {
    static let day: Int64 = 86_400

    @Test func aCommitSkipsTheOtherDaysOnlyWhenNobodyElseCommittedSinceItsLookup() throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("generation")
        let database = String(url.split(separator: "/").last!)
        let (s1, s2) = (try PostgresCheckpointStore(url: url), try PostgresCheckpointStore(url: url))
        _ = try s1.commit(commit(keys: [key(1)], at: 40 * Self.day))
        let lookupsFrom = s1.lookupsStarted
        #expect(try s1.seenKeys([key(2), key(3)], notBefore: 0).isEmpty)
        /// A commit of `keys` on day 41 that names s1's lookup of keys 2 and 3.
        func lookedUp(_ keys: [DedupKey]) -> CheckpointCommit {
            var c = commit(keys: keys, at: 41 * Self.day)
            c.keyLookups = lookupsFrom..<s1.lookupsStarted
            return c
        }
        // Keys written behind the store's back (no generation moved) on day 40: a lookup-covered commit on day 41
        // does not read day 40 any more, a commit of keys never looked up does.
        try server.psql("INSERT INTO dedup_keys_19700210 VALUES (40, '\(uuid(key(2)))', \(40 * Self.day)), (40, '\(uuid(key(4)))', \(40 * Self.day))",
                        database: database)
        _ = try s1.commit(lookedUp([key(2)]))
        #expect(throws: DedupRace.self) { _ = try s1.commit(commit(keys: [key(4)], at: 41 * Self.day)) }
        // Another instance's commit after the lookup of key 3 (on another day): the full check finds it.
        #expect(try s2.seenKeys([key(3)], notBefore: 0).isEmpty)
        _ = try s2.commit(commit(keys: [key(3)], at: 40 * Self.day))
        do {
            _ = try s1.commit(lookedUp([key(3)]))
            Issue.record("key 3 committed twice")
        } catch let race as DedupRace {
            #expect(race.conflicting == [key(3)])
        }
        #expect(try server.psql("SELECT value FROM store_meta WHERE name = 'dedup_generation'", database: database) == "3")
    }
}
