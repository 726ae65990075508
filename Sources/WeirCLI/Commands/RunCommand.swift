import ArgumentParser
import Foundation
import Kafka
import Pipeline

/// `weir run`: consume a topic as a consumer group and land it in the lake, exactly once.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Consume a Kafka topic into the Hive-partitioned Parquet lake, exactly once.",
        discussion: """
            Configuration comes from weir.yaml (or --config), then the environment (KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC,
            KAFKA_GROUP_ID, OUT_DIR, SCHEMA_FILE), then flags. SIGTERM and SIGINT flush, commit and exit 0.
            """)

    @OptionGroup var options: PipelineOptions
    @Option(name: .long, help: "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS).")
    var bootstrapServers: String?
    @Option(name: .long, help: "Source topic (env KAFKA_TOPIC).")
    var topic: String?
    @Option(name: .long, help: "Consumer group id (env KAFKA_GROUP_ID).")
    var groupId: String?
    @Option(name: .long, help: "Consumer session timeout, e.g. 6s (use 6s against weir broker).")
    var sessionTimeout: String?
    @Option(name: .long, help: "Dead-letter sink: kafka (default) or file.")
    var dlqSink: String?
    @Option(name: .long, help: "Exit 0, after committing everything, once the assignment has been stable and no record has arrived for this many seconds, and no partition of the topic has unread records.")
    var untilIdle: Double?

    func run() async throws {
        let config = try await failOnConfigError {
            var config = try options.load()
            if let bootstrapServers { config.bootstrapServers = bootstrapServers }
            if let topic { config.setTopic(topic) }
            if let groupId { config.groupId = groupId }
            if let sessionTimeout { config.sessionTimeout = try ConfigValueParsers.duration(sessionTimeout, key: "--session-timeout") }
            if let dlqSink { config.deadLetterSink = dlqSink }
            try config.validate()
            return config
        }
        let logger = PipelineOptions.bootstrapLogging(config)
        let summary = try await failOnConfigError {
            let assembly = try PipelineAssembly(config: config)
            let consumerConfig = KafkaConsumerConfig(
                bootstrapServers: config.bootstrapServers, groupId: config.groupId, clientId: config.clientId,
                autoOffsetReset: config.autoOffsetReset, sessionTimeout: config.sessionTimeout,
                maxPollInterval: config.maxPollInterval, fetchWakeInterval: config.fetchWakeInterval,
                extra: config.kafkaProperties)
            let source = KafkaRecordSource(config: consumerConfig, topic: config.pipeline.topic)
            try await Self.checkDeadLetterTopic(config)
            let deadLetters = try Self.deadLetterSink(config)
            logger.info("starting", metadata: ["topic": "\(config.pipeline.topic)", "consumer_group": "\(config.groupId)",
                                               "out_dir": "\(assembly.layout.root)", "kafka": "\(consumerConfig.redacted)",
                                               "fetch_wake": "\(consumerConfig.fetchWakeSummary)"])
            let session = RunSession(assembly: assembly, source: source, deadLetters: deadLetters,
                                     options: .init(untilIdle: untilIdle.map { .milliseconds(Int64($0 * 1000)) },
                                                    assignmentTimeout: untilIdle == nil ? nil : max(.seconds(60), config.sessionTimeout * 3),
                                                    unreadElsewhereLimit: max(.seconds(60), config.sessionTimeout * 3),
                                                    idleConfirmation: .seconds(4)),  // heartbeats come every 3 s at most
                                     logger: logger)
            return try await session.run()
        }
        print(summary.render())
    }

    static func deadLetterSink(_ config: WeirConfig) throws -> DeadLetterSink {
        if config.deadLetterSink == "file" { return FileDeadLetterSink() }
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(config: KafkaProducerConfig(
                bootstrapServers: config.bootstrapServers, clientId: config.clientId + "-dlq", extra: config.kafkaProperties))
        } catch {
            throw ConfigError(key: "kafka.properties", message: "\(error)", fix: "correct the librdkafka property it names")
        }
        return KafkaDeadLetterSink(producer: producer, topic: config.pipeline.effectiveDeadLetterTopic,
                                   bootstrapServers: config.bootstrapServers, consumerProperties: config.kafkaProperties)
    }

    /// Checks at startup that the DLQ topic exists, so a missing topic is a clear error, not a stalled commit.
    static func checkDeadLetterTopic(_ config: WeirConfig) async throws {
        guard config.deadLetterSink != "file" else { return }
        let topic = config.pipeline.effectiveDeadLetterTopic
        let producer = try KafkaProducer(config: KafkaProducerConfig(
            bootstrapServers: config.bootstrapServers, clientId: config.clientId + "-check", extra: config.kafkaProperties))
        defer { Task { await producer.close() } }
        var partitions: Int?
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            partitions = try? await producer.partitionCount(topic: topic, timeout: .seconds(10))
            if partitions == nil { try? await Task.sleep(for: .seconds(1)) }
        } while partitions == nil && ContinuousClock.now < deadline
        guard let partitions, partitions > 0 else {
            throw ConfigError(key: "dlq.topic", message: "the dead-letter topic '\(topic)' does not exist or the brokers at \(config.bootstrapServers) cannot be reached",
                              fix: "create the topic (or set dlq.topic to an existing one, or dlq.sink: file), and check kafka.bootstrap_servers")
        }
    }
}
