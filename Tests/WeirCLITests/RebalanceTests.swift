import Foundation
import Kafka
import Testing
@testable import WeirCLI

/// Three `weir run` processes in one consumer group share a lake; one is SIGKILLed mid-run (issue 7). The group
/// rebalances and the survivors finish. Every valid unique event must be in the lake exactly once, the DLQ must
/// hold every invalid event exactly once, and every file must be readable.
@Suite(.serialized) struct RebalanceTests {
    @Test(.timeLimit(.minutes(10)))
    func threeInstancesOneKilledLandEveryEventExactlyOnce() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "shared", partitions: 6, dlqPartitions: 1,
                                                     events: 120_000, seed: 11)

        let lake = try RepoPaths.temporaryDirectory("rebalance")
        func instance(_ name: String) throws -> ChildProcess {
            try ChildProcess(RepoPaths.weir, [
                "run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "shared", "--group-id", "three",
                "--out-dir", lake, "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml", "--listen", "off",
                "--session-timeout", "6s", "--flush-rows", "3000", "--flush-interval", "1s", "--log-format", "json",
                "--until-idle", "15"], directory: RepoPaths.root)
        }
        let a = try instance("a"), b = try instance("b"), c = try instance("c")
        // Let all three join and commit some work, then kill one mid-run.
        try await Task.sleep(for: .seconds(12))
        b.kill()
        let statusA = await a.wait(timeout: .seconds(400))
        let statusC = await c.wait(timeout: .seconds(400))
        await b.wait()
        #expect(b.wasKilled)
        #expect(statusA == 0, "instance a failed: \(a.stderr.suffix(1500))")
        #expect(statusC == 0, "instance c failed: \(c.stderr.suffix(1500))")
        let committers = [a, b, c].filter { $0.stderr.contains("\"message\":\"committed\"") }.count
        #expect(committers >= 2, "the instances should share the work")

        let stats = try await LakeStats.of(lake)
        #expect(stats.unreadable.isEmpty)
        #expect(stats.rows == expected.validUnique)
        #expect(stats.distinct == expected.validUnique)
        #expect(stats.sum == expected.sumMonto)
        let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: "shared_dlq")
        #expect(dlq.count == expected.invalid)
        #expect(Set(dlq).count == dlq.count, "the DLQ holds \(dlq.count - Set(dlq).count) records twice")
    }
}
