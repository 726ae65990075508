import Foundation
import Kafka
import Testing
@testable import WeirCLI

/// The setup the Iceberg `weir run` tests share: an embedded one-broker cluster with a topic of generated pi2
/// events and its DLQ topic (`<topic>_dlq`, one partition), and a temporary directory holding `weir.yaml` (an
/// Iceberg lake configuration) and the lake (`lake/`). `with` tears all of it down when its body returns or throws.
struct IcebergRunFixture {
    /// `lake.format: iceberg` with the table named `pi2.events`.
    static let namedTable = "lake:\n  format: iceberg\n  iceberg:\n    table: pi2.events\n"
    /// `lake.format: iceberg` with the default table.
    static let defaultTable = "lake:\n  format: iceberg\n"

    let cluster: EmbeddedKafkaCluster
    let topic: String
    /// The temporary directory: `weir.yaml` and `lake/` are in it.
    let dir: String
    /// What a correct pipeline lands from the topic.
    let expected: Pi2EventGenerator.Expected
    var lake: String { dir + "/lake" }
    var config: String { dir + "/weir.yaml" }
    var bootstrap: String { cluster.bootstrapServers }

    /// What the fixture's topic holds: `events` pi2 events of generator `seed` with these ratios of invalid events
    /// and duplicates; `roundRobin` sends event i to partition i % partitions (else the producer's partitioner).
    struct Events {
        var count: Int
        var seed: UInt64
        var invalidRatio = 0.10
        var duplicateRatio = 0.05
        var roundRobin = false
    }

    /// Builds the fixture (topic `topic` with `partitions` partitions, directory named after `directory`, `config`
    /// written to `weir.yaml`), runs `body` on it and removes it all.
    static func with<T>(topic: String, partitions: Int, directory: String, config: String = namedTable, events: Events,
                        _ body: (IcebergRunFixture) async throws -> T) async throws -> T {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic(topic, partitions: partitions)
        try cluster.createTopic(topic + "_dlq", partitions: 1)
        let dir = try RepoPaths.temporaryDirectory(directory)
        defer { RepoPaths.remove(dir) }
        try config.write(toFile: dir + "/weir.yaml", atomically: true, encoding: .utf8)
        var generator = Pi2EventGenerator(seed: events.seed, invalidRatio: events.invalidRatio, duplicateRatio: events.duplicateRatio)
        try await LakeRecoveryTests.produce(&generator, count: events.count, topic: topic,
                                            partitions: events.roundRobin ? Int32(partitions) : nil, bootstrap: cluster.bootstrapServers)
        return try await body(IcebergRunFixture(cluster: cluster, topic: topic, dir: dir, expected: generator.expected))
    }

    /// The arguments of `weir run` from the fixture's topic (consumer group `group`, by default the topic's name)
    /// into its lake with its configuration: no listener, JSON logs, flushes every `flushRows` rows or second, exits
    /// after 5 idle seconds.
    func runArguments(group: String? = nil, flushRows: Int = 1500, sessionTimeout: String = "4s") -> [String] {
        ["run", "--config", config, "--bootstrap-servers", bootstrap, "--topic", topic, "--group-id", group ?? topic,
         "--out-dir", lake, "--listen", "off", "--session-timeout", sessionTimeout, "--flush-rows", String(flushRows),
         "--flush-interval", "1s", "--until-idle", "5", "--log-format", "json"]
    }

    /// Starts `weir run` (see `runArguments`), killed with SIGKILL at commit step `fault` when one is given
    /// (`WEIR_FAULT_KILL_AT`), with `environment` added; the caller waits for it.
    func start(group: String? = nil, fault: String? = nil, flushRows: Int = 1500, sessionTimeout: String = "4s",
               environment: [String: String] = [:], directory: String = RepoPaths.root) throws -> ChildProcess {
        var environment = environment
        if let fault { environment["WEIR_FAULT_KILL_AT"] = fault }
        return try ChildProcess(RepoPaths.weir, runArguments(group: group, flushRows: flushRows, sessionTimeout: sessionTimeout),
                                environment: environment, directory: directory)
    }

    /// `start`, then waits for the run to end (600 s safety net).
    func run(fault: String? = nil, flushRows: Int = 1500, environment: [String: String] = [:]) async throws -> ChildProcess {
        let child = try start(fault: fault, flushRows: flushRows, environment: environment)
        await child.wait(timeout: .seconds(600))
        return child
    }

    /// Expects `killed` to have ended by the SIGKILL its `WEIR_FAULT_KILL_AT=fault` asked for, at that commit step.
    static func expectKilled(_ killed: ChildProcess, at fault: String) {
        #expect(killed.process.terminationReason == .uncaughtSignal && killed.process.terminationStatus == SIGKILL,
                "run with a kill at \(fault) ended \(killed.process.terminationStatus): \(killed.output("weir run"))")
        #expect(killed.stderr.contains("SIGKILL at commit step '\(fault)'"), "\(killed.output("weir run"))")
    }

    /// `weir <arguments>` in the repository, waited for (600 s safety net).
    static func weir(_ arguments: [String]) async throws -> ChildProcess {
        let child = try ChildProcess(RepoPaths.weir, arguments, directory: RepoPaths.root)
        await child.wait(timeout: .seconds(600))
        return child
    }
}
