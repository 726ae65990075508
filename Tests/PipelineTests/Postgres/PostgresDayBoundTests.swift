import Foundation
import PostgresTestSupport
import Testing
@testable import Pipeline

/// Keys are stamped with the committing host's clock, and lookups read no day partition after the server's clock
/// plus `DedupKeyPartitions.clockSkewLimit`: a commit stamped further ahead is refused (`ClockSkew`), so the
/// partitions created ahead of need are never probed while they are still empty.
@Suite struct PostgresDayBoundTests {
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    @Test func aCommitStampedTooFarAheadOfTheServerIsRefusedAndOneWithinTheLimitIsFound() throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("clock_ahead")
        let database = String(url.split(separator: "/").last!)
        let s = try PostgresCheckpointStore(url: url)
        do {
            _ = try s.commit(commit(keys: [key(1)], at: Self.now + 2 * 3_600))
            Issue.record("a commit stamped two hours ahead of the server was stored")
        } catch let ahead as ClockSkew {
            #expect(ahead.seconds > 7_000 && ahead.seconds <= 7_200, "\(ahead.seconds)")
            #expect("\(ahead)".contains("this host's clock is \(ahead.seconds) s ahead of PostgreSQL's at"))
            #expect("\(ahead)".contains("synchronize this host's clock"))
        }
        #expect(try server.psql("SELECT count(*) FROM dedup_keys", database: database) == "0", "nothing of the refused commit stayed")
        // 50 minutes ahead is within the limit, and lookups read its day whatever the time of day (near midnight
        // UTC it is tomorrow's partition).
        _ = try s.commit(commit(keys: [key(2)], at: Self.now + 50 * 60))
        #expect(try s.seenKeys([key(1), key(2)], notBefore: 0) == [key(2)])
        let conn = try PGConnection(conninfo: url)
        #expect(throws: ClockSkew.self) { try ClockSkew.check(hostSeconds: Self.now + 3 * 3_600, on: conn, store: "test") }
        // Behind: refused when a store opens (keys would expire early for the other hosts), not for a commit (a
        // commit retried after an outage keeps its older stamp).
        #expect(throws: Never.self) { try ClockSkew.check(hostSeconds: Self.now - 3 * 3_600, on: conn, store: "test") }
        do {
            try ClockSkew.check(hostSeconds: Self.now - 3 * 3_600, on: conn, store: "test", behindToo: true)
            Issue.record("a host three hours behind opened the store")
        } catch let behind as ClockSkew {
            #expect("\(behind)".contains("s behind PostgreSQL's at test"), "\(behind)")
        }
    }

    /// The lookup statement, run as the store runs it, prunes every day partition after the server's last
    /// possible key day and reads the others (`EXPLAIN ANALYZE` names the partitions it scanned).
    @Test func lookupsPruneTheDaysAfterTheServersClockAllows() throws {
        let url = try PostgresServer.shared.makeDatabase("day_bound")
        _ = try PostgresCheckpointStore(url: url)  // creates today's partition and the next two days'
        let conn = try PGConnection(conninfo: url)
        let lastDay = try #require(conn.query("SELECT \(DedupKeyPartitions.lastDaySQL)").scalar.flatMap(Int.init))
        let days = try DedupKeyPartitions.existing(conn).attached
        #expect(days.contains { $0 > lastDay }, "no partition after the last key day to prune: \(days.sorted()), \(lastDay)")
        let keys = PostgresCheckpointStore.keyParameter(sorted: PostgresCheckpointStore.sortedUnique((1...50).map(key)))
        let plan = try conn.query("EXPLAIN (ANALYZE, COSTS OFF) " + PostgresCheckpointStore.lookupSQL,
                                  [keys, .text("0"), .text("0"), .text(PostgresCheckpointStore.generationName)])
            .rows.compactMap { $0[0] }.joined(separator: "\n")
        for day in days {
            let name = DedupKeyPartitions.name(ofDay: day)
            #expect(plan.contains(name) == (day <= lastDay), "\(name) (last key day \(lastDay)):\n\(plan)")
        }
    }
}
