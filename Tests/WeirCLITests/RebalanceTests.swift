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
                                                     events: 120_000, seed: 11, roundRobin: true)

        let lake = try RepoPaths.temporaryDirectory("rebalance")
        defer { RepoPaths.remove(lake) }
        // --until-idle shorter than the session timeout: a survivor that has read its own partitions is idle long
        // before the group hands it the dead instance's partitions, and must not exit before it has read them.
        // b runs as a service (no --until-idle): on a busy machine it could otherwise read everything and exit
        // before the test gets to kill it.
        func instance(_ name: String, untilIdle: Bool = true) throws -> ChildProcess {
            try ChildProcess(RepoPaths.weir, [
                "run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "shared", "--group-id", "three",
                "--out-dir", lake, "--listen", "off",
                "--session-timeout", "6s", "--flush-rows", "3000", "--flush-interval", "1s", "--log-format", "json",
            ] + (untilIdle ? ["--until-idle", "3"] : []), directory: lake)
        }
        let a = try instance("a"), b = try instance("b", untilIdle: false), c = try instance("c")
        var outputs: String { [a.output("instance a"), b.output("instance b"), c.output("instance c")].joined(separator: "\n") }
        // Kill b once it holds partitions and has committed some of their records, so that part of its partitions
        // is left unread.
        let joined = await waitFor(.seconds(300)) { b.stderr.contains("\"message\":\"committed\"") || !b.process.isRunning }
        #expect(joined && b.process.isRunning, "instance b never committed:\n\(outputs)")
        b.kill()
        let statusA = await a.wait(timeout: .seconds(400))
        let statusC = await c.wait(timeout: .seconds(400))
        await b.wait()
        #expect(b.wasKilled)
        #expect(statusA == 0, "instance a failed:\n\(outputs)")
        #expect(statusC == 0, "instance c failed:\n\(outputs)")
        let committers = [a, b, c].filter { $0.stderr.contains("\"message\":\"committed\"") }.count
        #expect(committers >= 2, "the instances should share the work:\n\(outputs)")

        let stats = try await LakeStats.of(lake)
        #expect(stats.unreadable.isEmpty)
        #expect(stats.rows == expected.validUnique, "rows in the lake:\n\(outputs)")
        #expect(stats.distinct == expected.validUnique)
        #expect(stats.sum == expected.sumMonto)
        let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: "shared_dlq")
        #expect(dlq.count == expected.invalid)
        #expect(Set(dlq).count == dlq.count, "the DLQ holds \(dlq.count - Set(dlq).count) records twice")
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` (a generous safety net) passes; returns whether it held.
func waitFor(_ timeout: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}
