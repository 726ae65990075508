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
            Configuration comes from weir.yaml (or --config), then the environment (KAFKA_BOOTSTRAP_SERVERS, \
            KAFKA_TOPIC, KAFKA_GROUP_ID, OUT_DIR, SCHEMA_FILE, WEIR_LOG_LEVEL, WEIR_CHECKPOINT_URL), then flags. SIGTERM and SIGINT flush, \
            commit and exit 0. Brokers that cannot be reached within --connect-timeout, a missing DLQ topic or a bad \
            setting exit 2 with the cause.
            """)

    @OptionGroup var options: PipelineOptions
    @OptionGroup var kafka: KafkaOptions
    @Option(name: .long, help: "Source topic (env KAFKA_TOPIC, key kafka.topic, default pi2_events).")
    var topic: String?
    @Option(name: [.customLong("group-id"), .customLong("group")],
            help: "Consumer group id (env KAFKA_GROUP_ID, key kafka.group_id, default weir).")
    var groupId: String?
    @Option(name: .long, parsing: .unconditional,
            help: "Consumer session timeout: seconds or a duration, e.g. 6s (key kafka.session_timeout, default 45s; use 6s against weir broker).")
    var sessionTimeout: String?
    @Option(name: .long, help: "Where rejected events go: kafka (the DLQ topic, default) or file (OUT_DIR/_dlq/) (key dlq.sink).")
    var dlqSink: String?
    @Option(name: .long, parsing: .unconditional,
            help: "Exit 0, after committing everything, once the assignment has been stable, no record has arrived for this long, and no partition of the topic has unread records: seconds or a duration, e.g. 10 or 10s.")
    var untilIdle: String?

    func run() async throws {
        var idle: Duration?
        let config = try await failOnConfigError {
            try options.load { config in
                try kafka.apply(to: &config)
                if let topic { config.setTopic(topic) }
                if let groupId { config.groupId = groupId }
                if let sessionTimeout {
                    config.sessionTimeout = try ConfigValueParsers.duration(sessionTimeout, key: "--session-timeout", bare: .seconds)
                }
                if let dlqSink {
                    config.deadLetterSink = dlqSink
                    config.origins.record("dlq.sink", from: "--dlq-sink")
                }
                idle = try untilIdle.map { try ConfigValueParsers.duration($0, key: "--until-idle", bare: .seconds) }
            }
        }
        let logger = PipelineOptions.bootstrapLogging(config)
        let summary = try await failOnConfigError {
            let assembly = try PipelineAssembly(config: config, logger: logger)
            let consumerConfig = KafkaConsumerConfig(
                bootstrapServers: config.bootstrapServers, groupId: config.groupId, clientId: config.clientId,
                autoOffsetReset: config.autoOffsetReset, sessionTimeout: config.sessionTimeout,
                maxPollInterval: config.maxPollInterval, fetchWakeInterval: config.fetchWakeInterval,
                extra: config.kafkaProperties)
            let source = KafkaRecordSource(config: consumerConfig, topic: config.pipeline.topic)
            try await KafkaStartup.ensureReachable(config)
            try await KafkaStartup.ensureTopic(config.pipeline.topic, config, role: "source topic",
                                               fix: "create it, or correct --topic, KAFKA_TOPIC or kafka.topic", autoCreate: false)
            if config.deadLetterSink != "file" {
                // A missing DLQ topic is found now, not at the first commit that has rejected events.
                try await KafkaStartup.ensureTopic(config.pipeline.effectiveDeadLetterTopic, config, role: "dead-letter topic",
                                                   fix: "create it, or set dlq.topic to an existing topic, or use --dlq-sink file (dlq.sink: file)",
                                                   autoCreate: true)
            }
            let topicLimit = await Self.deadLetterTopicLimit(config, logger: logger)
            let deadLetters = try Self.deadLetterSink(config, topicMaxMessageBytes: topicLimit, logger: logger)
            logger.info("starting", metadata: ["topic": "\(config.pipeline.topic)", "consumer_group": "\(config.groupId)",
                                               "out_dir": "\(assembly.layout.root)", "checkpoint": "\(assembly.opened.location)", "kafka": "\(consumerConfig.redacted)",
                                               "fetch_wake": "\(consumerConfig.fetchWakeSummary)"])
            let session = RunSession(assembly: assembly, source: source, deadLetters: deadLetters,
                                     options: .init(untilIdle: idle,
                                                    assignmentTimeout: idle == nil ? nil : max(.seconds(60), config.sessionTimeout * 3),
                                                    unreadElsewhereLimit: max(.seconds(60), config.sessionTimeout * 3),
                                                    idleConfirmation: .seconds(4)),  // heartbeats come every 3 s at most
                                     logger: logger)
            return try await session.run()
        }
        print(summary.render())
    }

    /// The DLQ producer's `message.timeout.ms` unless `kafka.properties` sets it: 30 s (librdkafka's default is 5 min).
    static let deadLetterMessageTimeoutMs = 30_000

    /// The DLQ sink: files, or the DLQ topic with a producer whose records and batches fit the smaller of the
    /// topic's `max.message.bytes` (nil when the brokers could not tell) and the producer's `message.max.bytes`.
    /// - Throws: `ConfigError` when librdkafka refuses the Kafka producer's properties.
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
        // A bounded message timeout bounds how long a DLQ delivery can be in flight, so a new owner of the partitions
        // waits for an instance that lost them only that long (`DeliveryWindow`).
        let producerConfig = KafkaProducerConfig(bootstrapServers: config.bootstrapServers, clientId: config.clientId + "-dlq",
                                                 messageTimeoutMs: Self.deadLetterMessageTimeoutMs, extra: properties)
        guard let messageTimeout = producerConfig.effectiveMessageTimeout else {
            // The property that said 0 (`delivery.timeout.ms` is librdkafka's alias).
            let given = properties["message.timeout.ms"].flatMap { Int($0) } == 0 ? "message.timeout.ms" : "delivery.timeout.ms"
            throw ConfigError(key: "kafka.properties." + given,
                              message: "0 lets a DLQ record wait for delivery without limit, which no partition owner could wait out",
                              fix: "remove it (default \(Self.deadLetterMessageTimeoutMs)) or give a limit in milliseconds")
        }
        let producer = try KafkaStartup.producer(producerConfig)
        logger.info("DLQ record limit", metadata: ["dlq_topic": "\(config.pipeline.effectiveDeadLetterTopic)",
                                                   "max_record_bytes": "\(limit.maxRecordBytes)", "from": "\(limit.source)"])
        return KafkaDeadLetterSink(producer: producer, topic: config.pipeline.effectiveDeadLetterTopic,
                                   bootstrapServers: config.bootstrapServers, consumerProperties: config.kafkaProperties,
                                   limit: limit, messageTimeout: messageTimeout, logger: logger)
    }

    /// The DLQ topic's `max.message.bytes` as the brokers report it (DescribeConfigs), or nil when they cannot tell
    /// (no permission to describe configs, or a broker without the API such as the embedded mock cluster). The
    /// topic's existence was checked before (`KafkaStartup.ensureTopic`).
    static func deadLetterTopicLimit(_ config: WeirConfig, logger: Logger = Logger(label: "weir.dlq")) async -> Int? {
        guard config.deadLetterSink != "file" else { return nil }
        let topic = config.pipeline.effectiveDeadLetterTopic
        guard let producer = try? KafkaStartup.producer(KafkaProducerConfig(
            bootstrapServers: config.bootstrapServers, clientId: config.clientId + "-check", extra: config.kafkaProperties)) else { return nil }
        defer { Task { await producer.close() } }
        do {
            // A real cluster answers within milliseconds; brokers without the API (the embedded mock cluster)
            // leave librdkafka waiting for a controller until the timeout, so it is short.
            let configs = try await producer.topicConfig(topic, timeout: .seconds(3))
            if let value = configs["max.message.bytes"], let bytes = Int(value) { return bytes }
            logger.info("the brokers did not report the DLQ topic's max.message.bytes; using the producer's message.max.bytes",
                           metadata: ["dlq_topic": "\(topic)"])
        } catch {
            // Not a fault: expected from brokers without DescribeConfigs (the embedded `weir broker` among them).
            logger.info("""
                the DLQ topic's max.message.bytes is unknown (no DescribeConfigs answer, as from weir broker); \
                DLQ records are sized to the producer's message.max.bytes instead
                """, metadata: ["dlq_topic": "\(topic)", "error": "\(error)"])
        }
        return nil
    }
}
