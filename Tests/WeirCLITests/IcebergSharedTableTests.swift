import Foundation
import Kafka
import Pipeline
import Testing
import WeirTestSupport
@testable import WeirCLI

/// Two `weir run` processes of one consumer group commit to one Iceberg table through the shared checkpoint store
/// (the SQL catalog in `_weir/checkpoint.sqlite`, same host). Each commit waits 300 ms between planning its snapshot
/// and the store transaction (`WEIR_FAULT_DELAY_AT=staged`), so the two writers' commits overlap and the catalog's
/// compare-and-set refuses some of them: the loser plans again on the winner's snapshot (or, after 3 refusals in a
/// row, drops its work and reads it again). The table must end with every valid unique event exactly once, every
/// commit of both instances in one linear history, and the conflicts counted.
@Suite(.serialized) struct IcebergSharedTableTests {
    @Test(.timeLimit(.minutes(10)))
    func twoInstancesCommitToOneTableWithoutLossOrDuplicates() async throws {
        // No duplicates: a key that the other instance landed since this one looked it up refuses the commit as a
        // dedup race (retried as well), a wider window than the pointer's, which would leave few pointer conflicts.
        try await IcebergRunFixture.with(topic: "iceshared", partitions: 6, directory: "iceberg-shared",
                                         events: .init(count: 30_000, seed: 43, duplicateRatio: 0, roundRobin: true)) { ice in
            let expected = ice.expected
            func instance() throws -> ChildProcess {
                try ice.start(flushRows: 1000, sessionTimeout: "6s", environment: ["WEIR_FAULT_DELAY_AT": "staged", "WEIR_FAULT_DELAY_MS": "300"],
                              directory: ice.dir)
            }
            let a = try instance(), b = try instance()
            defer { for p in [a, b] where p.process.isRunning { p.kill() } }
            var outputs: String { a.output("instance a") + "\n" + b.output("instance b") }
            let statusA = await a.wait(timeout: .seconds(500)), statusB = await b.wait(timeout: .seconds(500))
            #expect(statusA == 0 && statusB == 0, "\(outputs)")

            // No lost commit, no duplicate: what the two instances report as landed is what the table holds.
            let landed = Self.number("landed", in: a.stdout) + Self.number("landed", in: b.stdout)
            #expect(landed == expected.validUnique, "the instances landed \(landed), expected \(expected.validUnique):\n\(outputs)")
            let (table, rows) = try IcebergTableOracle.readWithRows(ice.lake)
            table.expectExactlyOnce(expected, lake: ice.lake)
            try IcebergDuckDBOracle.read(ice.lake).expectAgrees(with: table, rows: rows)
            // One linear history holding the commits of both writers: sequence numbers 1…n, and the snapshots' added
            // records add up to the current row count (a snapshot lost by a writer that did not see the other's
            // commit would leave its rows out).
            #expect(table.snapshots.map(\.sequence_number) == (1...Int64(max(1, table.snapshots.count))).map { $0 })
            let added = table.snapshots.reduce(0) { $0 + (Int($1.summary["added-records"] ?? "") ?? 0) }
            #expect(added == table.rows.count, "snapshots add \(added) records, the table holds \(table.rows.count)")
            let writers = Set(table.snapshots.compactMap { $0.summary["weir.instance"] })
            #expect(writers.count == 2, "both instances should have committed snapshots: \(writers)\n\(outputs)")

            // The catalog's compare-and-set refused some commits; each instance counts its own in its summary
            // (the same count as weir_iceberg_commit_conflicts_total) and planned again.
            let conflicts = Self.number("conflicts", in: a.stdout) + Self.number("conflicts", in: b.stdout)
            #expect(conflicts > 0, "the overlapping commits should have met conflicts:\n\(outputs)")
            let dlq = try await DeadLetterTopic.read(bootstrap: ice.bootstrap, topic: "iceshared_dlq")
            #expect(dlq.count == expected.invalid, "DLQ holds \(dlq.count), expected \(expected.invalid)")
            #expect(Set(dlq).count == dlq.count, "the DLQ holds \(dlq.count - Set(dlq).count) records twice")
        }
    }

    /// The number after `label` at the start of a line of a run summary, 0 when the line is absent.
    static func number(_ label: String, in summary: String) -> Int {
        for line in summary.split(separator: "\n") where line.hasPrefix(label + " ") {
            if let n = line.dropFirst(label.count).split(separator: " ").first.flatMap({ Int($0) }) { return n }
        }
        return 0
    }
}
