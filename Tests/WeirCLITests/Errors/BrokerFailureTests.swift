import Foundation
import Kafka
import Testing

/// Brokers that cannot be reached: every command that talks to Kafka exits 2 within `--connect-timeout` (plus
/// start-up), naming the brokers it tried and the cause librdkafka reported, whatever the other flags.
@Suite struct BrokerFailureTests {
    /// A `weir run` against `bootstrap` with a short connect timeout, in a temporary directory removed afterwards.
    static func run(_ bootstrap: String, _ extra: [String] = []) async throws -> (Int32, String, String) {
        let dir = try RepoPaths.temporaryDirectory("unreachable")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try await ChildProcess.run(RepoPaths.weir, ["run", "--bootstrap-servers", bootstrap, "--connect-timeout", "2s",
                                                           "--out-dir", dir + "/lake", "--listen", "off",
                                                           "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml"] + extra,
                                          timeout: .seconds(120))
    }

    @Test(arguments: [[], ["--dlq-sink", "file"], ["--until-idle", "5s"]])
    func aRefusedConnectionExitsTwoNamingTheCause(extra: [String]) async throws {
        let (status, _, stderr) = try await Self.run("127.0.0.1:1", extra)
        #expect(status == 2, "\(stderr)")
        #expect(stderr.hasPrefix("weir: cannot connect to the Kafka brokers at 127.0.0.1:1: connection refused"), "\(stderr)")
        #expect(stderr.contains("; still failing after "), "\(stderr)")
        #expect(stderr.contains("--connect-timeout"))
        #expect(!stderr.contains("DLQ") && !stderr.contains("dead-letter"), "the DLQ topic is not the cause: \(stderr)")
    }

    @Test func anUnresolvableHostExitsTwoNamingDNS() async throws {
        let (status, _, stderr) = try await Self.run("weir-no-such-host.invalid:9092")
        #expect(status == 2, "\(stderr)")
        #expect(stderr.contains("cannot connect to the Kafka brokers at weir-no-such-host.invalid:9092: DNS lookup failed"), "\(stderr)")
        #expect(stderr.contains("check the host names"))
    }

    @Test(arguments: [ClosingListener.Behaviour.close, .garbage])
    func aPeerThatIsNotAKafkaBrokerIsAProtocolFailure(behaviour: ClosingListener.Behaviour) async throws {
        let listener = try ClosingListener(behaviour)
        defer { listener.stop() }
        let (status, _, stderr) = try await Self.run(listener.address, ["--connect-timeout", "120s"])
        #expect(status == 2, "\(stderr)")
        #expect(stderr.contains("cannot connect to the Kafka brokers at \(listener.address): Kafka protocol handshake (ApiVersionRequest) failed"),
                "\(stderr)")
        #expect(try Self.secondsBeforeGivingUp(stderr) < 60, "a permanent cause ends the wait long before --connect-timeout: \(stderr)")
    }

    /// The time the probe reports it waited (measured by weir itself, so a busy test process does not count).
    static func secondsBeforeGivingUp(_ stderr: String) throws -> Double {
        let marker = "gave up after "
        let range = try #require(stderr.range(of: marker), "no '\(marker)' in \(stderr)")
        return try #require(Double(stderr[range.upperBound...].prefix { $0.isNumber || $0 == "." }))
    }

    @Test func produceAndReplayFailTheSameWay() async throws {
        let (status, _, stderr) = try await ChildProcess.run(
            RepoPaths.weir, ["produce", "--topic", "nowhere", "--count", "10", "--connect-timeout", "2"],
            environment: ["KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"], timeout: .seconds(120))
        #expect(status == 2, "\(stderr)")
        #expect(stderr.hasPrefix("weir: cannot connect to the Kafka brokers at 127.0.0.1:1: connection refused"), "\(stderr)")

        let dir = try RepoPaths.temporaryDirectory("replay-unreachable")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (replay, _, replayErr) = try await ChildProcess.run(
            RepoPaths.weir, ["dlq", "replay", "--from-topic", "x_dlq", "--to-topic", "x", "--bootstrap", "127.0.0.1:1",
                             "--connect-timeout", "2s", "--out-dir", dir, "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml"],
            timeout: .seconds(120))
        #expect(replay == 2, "\(replayErr)")
        #expect(replayErr.contains("127.0.0.1:1: connection refused"), "\(replayErr)")
    }

    @Test func anInvalidLibrdkafkaPropertyIsAConfigurationError() async throws {
        let dir = try RepoPaths.temporaryDirectory("bad-property")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "kafka:\n  properties:\n    no.such.property: 1\n".write(toFile: dir + "/weir.yaml", atomically: true, encoding: .utf8)
        let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, ["run", "--config", dir + "/weir.yaml", "--listen", "off",
                                                                              "--out-dir", dir + "/lake"])
        #expect(status == 2, "\(stderr)")
        #expect(stderr.contains("weir: invalid configuration: \(dir)/weir.yaml: kafka.properties.no.such.property: No such configuration property"),
                "\(stderr)")
        #expect(stderr.contains("fix:"))
        #expect(!stderr.contains("KafkaError"))
        let (produce, _, produceErr) = try await ChildProcess.run(RepoPaths.weir, ["produce", "--property", "no.such.property=1", "--count", "1"])
        #expect(produce == 2, "\(produceErr)")
        #expect(produceErr.contains("kafka.properties.no.such.property"), "\(produceErr)")
    }
}

/// TLS and SASL settings that the broker does not speak end the wait at once, with the cause.
@Suite struct BrokerSecurityFailureTests {
    @Test(arguments: [("security.protocol: SSL", "TLS handshake failed"),
                      ("security.protocol: SASL_PLAINTEXT\n    sasl.mechanisms: PLAIN\n    sasl.username: u\n    sasl.password: p",
                       "authentication failed")])
    func aSecurityMismatchIsNamed(properties: String, cause: String) async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let dir = try RepoPaths.temporaryDirectory("security")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "kafka:\n  properties:\n    \(properties)\n".write(toFile: dir + "/weir.yaml", atomically: true, encoding: .utf8)
        let (status, _, stderr) = try await ChildProcess.run(
            RepoPaths.weir, ["run", "--config", dir + "/weir.yaml", "--bootstrap-servers", cluster.bootstrapServers,
                             "--connect-timeout", "120s", "--out-dir", dir + "/lake", "--listen", "off",
                             "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml"], timeout: .seconds(120))
        #expect(status == 2, "\(stderr)")
        #expect(stderr.hasPrefix("weir: cannot connect to the Kafka brokers at \(cluster.bootstrapServers): \(cause)"), "\(stderr)")
        #expect(!stderr.contains("sasl.password: p") && !stderr.contains("=p,"), "no secret in the message")
        #expect(try BrokerFailureTests.secondsBeforeGivingUp(stderr) < 60, "not retried until --connect-timeout: \(stderr)")
    }
}

/// Brokers that answer but lack the topic: exit 2 naming the topic and the fix, after `--connect-timeout`.
@Suite struct MissingTopicTests {
    @Test func aMissingSourceOrDeadLetterTopicExitsTwo() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.simulateMissingTopic("typo")
        try cluster.simulateMissingTopic("present_dlq")
        try cluster.createTopic("present", partitions: 1)
        let dir = try RepoPaths.temporaryDirectory("missing-topic")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func run(_ topic: String) async throws -> (Int32, String) {
            let (status, _, stderr) = try await ChildProcess.run(
                RepoPaths.weir, ["run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", topic, "--connect-timeout", "2s",
                                 "--out-dir", dir + "/lake-" + topic, "--listen", "off",
                                 "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml"], timeout: .seconds(120))
            return (status, stderr)
        }
        let (source, sourceErr) = try await run("typo")
        #expect(source == 2, "\(sourceErr)")
        #expect(sourceErr.hasPrefix("weir: the source topic 'typo' does not exist on the brokers at \(cluster.bootstrapServers)"), "\(sourceErr)")
        #expect(sourceErr.contains("correct --topic, KAFKA_TOPIC or kafka.topic"))

        let (dlq, dlqErr) = try await run("present")
        #expect(dlq == 2, "\(dlqErr)")
        #expect(dlqErr.hasPrefix("weir: the dead-letter topic 'present_dlq' does not exist"), "\(dlqErr)")
        #expect(dlqErr.contains("--dlq-sink file"))

        let (produce, _, produceErr) = try await ChildProcess.run(
            RepoPaths.weir, ["produce", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "typo", "--count", "1",
                             "--connect-timeout", "2s"], timeout: .seconds(120))
        #expect(produce == 2, "\(produceErr)")
        #expect(produceErr.hasPrefix("weir: the topic 'typo' does not exist"), "\(produceErr)")
    }
}
