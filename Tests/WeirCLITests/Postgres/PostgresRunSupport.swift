import Foundation
import Kafka
import PostgresTestSupport
@testable import WeirCLI

/// What the `weir run` tests on a PostgreSQL store share: producing generated events into an existing topic in
/// steps, starting `weir run` with `WEIR_CHECKPOINT_URL`, reading the run's counters from the store.
enum PostgresRunSupport {
    /// Produces `count` more events of `generator` into `topic` (round robin over `partitions` when given, else
    /// where the producer's partitioner puts them), checking that the broker kept them all.
    static func produce(_ cluster: EmbeddedKafkaCluster, topic: String, count: Int,
                        generator: inout Pi2EventGenerator, partitions: [Int32]? = nil) async throws {
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers))
        var batch: [KafkaOutgoingMessage] = []
        for i in 0..<count {
            let partition = partitions.flatMap { $0.isEmpty ? nil : $0[i % $0.count] }
            batch.append(KafkaOutgoingMessage(topic: topic, partition: partition, value: generator.next()))
            if batch.count == 10_000 { _ = try await producer.sendAll(batch); batch = [] }
        }
        if !batch.isEmpty { _ = try await producer.sendAll(batch) }
        let violations = try await producer.retentionViolations(topic: topic)
        await producer.close()
        guard violations.isEmpty else { throw OracleError(message: "the embedded broker dropped data: \(violations)") }
    }

    /// `weir run` on `topic` with its store at `url` (through the environment, as an operator would keep the
    /// password out of the command line).
    static func run(_ cluster: EmbeddedKafkaCluster, topic: String, group: String, lake: String, url: String,
                    extra: [String]) throws -> ChildProcess {
        try ChildProcess(RepoPaths.weir, [
            "run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", topic, "--group-id", group,
            "--out-dir", lake, "--session-timeout", "6s", "--flush-rows", "2000", "--flush-interval", "1s",
            "--log-format", "json"] + extra, environment: ["WEIR_CHECKPOINT_URL": url], directory: lake)
    }

    /// The `total` counter of the store (records committed), 0 when unknown or unreachable.
    static func committedTotal(_ server: PostgresServer, database: String) -> Int {
        Int((try? server.psql("SELECT coalesce(sum(value), 0) FROM totals WHERE name = 'total'", database: database)) ?? "") ?? 0
    }

    /// The database name at the end of a URL.
    static func database(of url: String) -> String { String(url.split(separator: "/").last!) }

    /// The `http://host:port` the run's observability server listens on, once it logged it (safety net: 60 s).
    static func listenAddress(_ run: ChildProcess) async -> String? {
        var base: String?
        _ = await waitFor(.seconds(60)) {
            if let range = run.stderr.range(of: #""address":"127\.0\.0\.1:[0-9]+""#, options: .regularExpression) {
                base = "http://" + run.stderr[range].dropFirst(#""address":""#.count).dropLast()
            }
            return base != nil || !run.process.isRunning
        }
        return base
    }
}
