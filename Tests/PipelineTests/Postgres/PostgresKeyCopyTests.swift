import Foundation
import PostgresTestSupport
import Testing
@testable import Pipeline

/// A commit's keys travel as a binary `COPY` into their day's partition, and lookups run as a statement prepared
/// once per connection: a key already in that partition still refuses the commit (or is re-stamped when expired),
/// a failed `COPY` leaves the connection usable, and prepared lookups see partitions attached after they were
/// prepared.
@Suite struct PostgresKeyCopyTests {
    static let day: Int64 = 86_400

    /// The key was looked up (absent), then written into the commit's own day behind the store's back: the
    /// ledger lets the commit skip the other days, so only the partition's primary key can tell.
    @Test func aKeyAlreadyInTheCommitsOwnDayRefusesTheCommit() throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("copy_race")
        let database = String(url.split(separator: "/").last!)
        let s = try PostgresCheckpointStore(url: url)
        _ = try s.commit(commit(keys: [key(1)], at: 50 * Self.day))
        let lookupsFrom = s.lookupsStarted
        #expect(try s.seenKeys([key(2), key(3)], notBefore: 0).isEmpty)
        try server.psql("INSERT INTO dedup_keys_19700220 VALUES (50, '\(uuid(key(3)))', \(50 * Self.day))", database: database)
        var racing = commit(keys: [key(2), key(3)], at: 50 * Self.day + 10)
        racing.keyLookups = lookupsFrom..<s.lookupsStarted
        do {
            _ = try s.commit(racing)
            Issue.record("key 3 committed twice")
        } catch let race as DedupRace {
            #expect(race.conflicting == [key(3)])
        }
        #expect(try server.psql("SELECT count(*) FROM dedup_keys", database: database) == "2", "nothing of the refused commit stayed")
        // The same store commits on afterwards (its connection was not left inside the failed COPY).
        _ = try s.commit(commit(keys: [key(2)], at: 50 * Self.day + 20))
        #expect(try s.seenKeys([key(1), key(2), key(3), key(4)], notBefore: 0) == [key(1), key(2), key(3)])
    }

    /// A key of the same day that expired (seen before the commit's TTL cut-off) is stored again with the new time.
    @Test func anExpiredKeyOfTheSameDayIsStampedAgain() throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("copy_expired")
        let database = String(url.split(separator: "/").last!)
        let s = try PostgresCheckpointStore(url: url)
        let dayStart = 60 * Self.day
        _ = try s.commit(commit(keys: [key(1)], at: dayStart + 5))
        #expect(try s.seenKeys([key(1)], notBefore: dayStart + 100).isEmpty, "expired by the cut-off")
        _ = try s.commit(commit(keys: [key(1), key(2)], at: dayStart + 200, notBefore: dayStart + 100))
        #expect(try server.psql("SELECT count(*), min(seen_at) FROM dedup_keys", database: database) == "2|\(dayStart + 200)")
    }

    @Test func aFailedCopyLeavesTheConnectionUsable() throws {
        let url = try PostgresServer.shared.makeDatabase("copy_conn")
        let conn = try PGConnection(conninfo: url)
        try conn.query("CREATE TABLE k(day integer NOT NULL, key uuid PRIMARY KEY, seen_at bigint NOT NULL)")
        let keys = (1...1_000).map(key).sorted()
        let sql = "COPY k(day, key, seen_at) FROM STDIN WITH (FORMAT binary)"
        #expect(try conn.copyIn(sql, data: PostgresCheckpointStore.keyRows(keys, day: 7, seenAt: 42)) == 1_000)
        #expect(try conn.query("SELECT count(*), min(day), max(seen_at) FROM k").rows[0] == ["1000", "7", "42"])
        let stored = try conn.query("SELECT key::text FROM k ORDER BY key").rows.compactMap { $0[0].flatMap(PGArrayLiteral.uuidHalves) }
        #expect(stored.map { DedupKey(high: $0.high, low: $0.low) } == keys, "the keys as sent, byte for byte")
        do {
            try conn.copyIn(sql, data: PostgresCheckpointStore.keyRows([key(5_000), key(1)], day: 7, seenAt: 43))
            Issue.record("a repeated key was copied")
        } catch let error as PGError {
            #expect(error.sqlState == "23505", "\(error)")
        }
        #expect(try conn.query("SELECT count(*) FROM k").scalar == "1000")
    }

    @Test func preparedLookupsSeePartitionsAttachedLater() throws {
        let url = try PostgresServer.shared.makeDatabase("prepared")
        let s = try PostgresCheckpointStore(url: url, poolSize: 1)
        // More lookups than the server's custom plans (5), so a cached generic plan would be in use.
        for n in 0..<8 { #expect(try s.seenKeys([key(n)], notBefore: 0).isEmpty) }
        _ = try s.commit(commit(keys: [key(100)], at: 70 * Self.day))  // attaches days 70 to 72
        #expect(try s.seenKeys([key(100), key(101)], notBefore: 0) == [key(100)])
        let prepared = try s.withStore("list prepared statements") { conn in
            try conn.query("SELECT name FROM pg_prepared_statements").rows.compactMap { $0[0] }
        }
        #expect(prepared == ["weir_seen_keys"])
    }
}
