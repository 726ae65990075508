import ArgumentParser
import Foundation
import Kafka
import Logging
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
    @Option(name: .long, help: "Exit once no record has arrived for this many seconds, after committing everything.")
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
            let topicLimit = try await Self.checkDeadLetterTopic(config, logger: logger)
            let deadLetters = try Self.deadLetterSink(config, topicMaxMessageBytes: topicLimit, logger: logger)
            logger.info("starting", metadata: ["topic": "\(config.pipeline.topic)", "consumer_group": "\(config.groupId)",
                                               "out_dir": "\(assembly.layout.root)", "kafka": "\(consumerConfig.redacted)",
                                               "fetch_wake": "\(consumerConfig.fetchWakeSummary)"])
            let session = RunSession(assembly: assembly, source: source, deadLetters: deadLetters,
                                     options: .init(untilIdle: untilIdle.map { .milliseconds(Int64($0 * 1000)) },
                                                    assignmentTimeout: untilIdle == nil ? nil : max(.seconds(60), config.sessionTimeout * 3)),
                                     logger: logger)
            return try await session.run()
        }
        print(summary.render())
    }

    /// The DLQ sink: files, or the DLQ topic with a producer whose records and batches fit the smaller of the
    /// topic's `max.message.bytes` (nil when the brokers could not tell) and the producer's `message.max.bytes`.
    static func deadLetterSink(_ config: WeirConfig, topicMaxMessageBytes: Int? = nil,
                               logger: Logger = Logger(label: "weir.dlq")) throws -> DeadLetterSink {
        if config.deadLetterSink == "file" { return FileDeadLetterSink() }
        let limit = DeadLetterSizeLimit.resolve(topicMaxMessageBytes: topicMaxMessageBytes,
                                                producerMessageMaxBytes: config.kafkaProperties["message.max.bytes"].flatMap { Int($0) })
        var properties = config.kafkaProperties
        // librdkafka batches up to `batch.size` bytes (1,000,000 by default) into one record batch, and the broker
        // applies the topic's limit to the whole batch: keep batches within it too.
        let batchSize = properties["batch.size"].flatMap { Int($0) } ?? DeadLetterSizeLimit.librdkafkaDefault
        if batchSize > limit.maxRecordBytes { properties["batch.size"] = String(limit.maxRecordBytes) }
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(config: KafkaProducerConfig(
                bootstrapServers: config.bootstrapServers, clientId: config.clientId + "-dlq", extra: properties))
        } catch {
            throw ConfigError(key: "kafka.properties", message: "\(error)", fix: "correct the librdkafka property it names")
        }
        logger.info("DLQ record limit", metadata: ["dlq_topic": "\(config.pipeline.effectiveDeadLetterTopic)",
                                                   "max_record_bytes": "\(limit.maxRecordBytes)", "from": "\(limit.source)"])
        return KafkaDeadLetterSink(producer: producer, topic: config.pipeline.effectiveDeadLetterTopic,
                                   bootstrapServers: config.bootstrapServers, consumerProperties: config.kafkaProperties,
                                   limit: limit, logger: logger)
    }

    /// Checks at startup that the DLQ topic exists, so a missing topic is a clear error, not a stalled commit, and
    /// returns its `max.message.bytes` as the brokers report it (DescribeConfigs), or nil when they cannot tell
    /// (no permission to describe configs, or a broker without the API such as the embedded mock cluster).
    static func checkDeadLetterTopic(_ config: WeirConfig, logger: Logger = Logger(label: "weir.dlq")) async throws -> Int? {
        guard config.deadLetterSink != "file" else { return nil }
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
        do {
            // A real cluster answers within milliseconds; brokers without the API (the embedded mock cluster)
            // leave librdkafka waiting for a controller until the timeout, so it is short.
            let configs = try await producer.topicConfig(topic, timeout: .seconds(3))
            if let value = configs["max.message.bytes"], let bytes = Int(value) { return bytes }
            logger.notice("the brokers did not report the DLQ topic's max.message.bytes; using the producer's message.max.bytes",
                           metadata: ["dlq_topic": "\(topic)"])
        } catch {
            logger.notice("cannot read the DLQ topic's max.message.bytes; using the producer's message.max.bytes",
                           metadata: ["dlq_topic": "\(topic)", "error": "\(error)"])
        }
        return nil
    }
}
