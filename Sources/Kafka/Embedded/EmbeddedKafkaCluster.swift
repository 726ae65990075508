/// An in-process Kafka cluster of N brokers on librdkafka's mock cluster (`rdkafka_mock.h`).
///
/// Brokers listen on loopback TCP, so any client (librdkafka, kafka-python, confluent-kafka) can use
/// `bootstrapServers`. Broker ids are `1...brokers`. Topics must be created with `createTopic` (the mock
/// has no CreateTopics API).
///
/// - Important: **Retention cap.** librdkafka 2.0.2's mock brokers keep at most about 5 MiB and 100,000
///   message sets per partition and silently drop the oldest data past that (the low watermark moves up).
///   Compress (lz4/zstd), spread data over enough partitions, and check every partition's low watermark is
///   still 0 after loading (`weir produce --check-retention` does this).
/// - Important: the mock group coordinator is slow (a first join takes about 3 s); use
///   `session.timeout.ms` 4000–6000 with it.
///
/// Ownership: `shutdown()` stops the brokers exactly once (also done on deinit); the librdkafka calls are in
/// `Wrappers/RDKafkaMockCluster.swift`.
public final class EmbeddedKafkaCluster: Sendable {
    private let mock: RDKafkaMockCluster
    /// Comma-separated `host:port` list of the brokers.
    public let bootstrapServers: String
    /// Number of brokers.
    public let brokerCount: Int

    /// Starts `brokers` mock brokers.
    /// - Throws: `KafkaError` when the handle or the mock cluster cannot be created.
    public init(brokers: Int = 3) throws(KafkaError) {
        mock = try RDKafkaMockCluster(brokers: brokers)
        bootstrapServers = mock.bootstrapServers
        brokerCount = brokers
    }

    deinit { shutdown() }

    /// Creates `name` with `partitions` partitions (leaders spread over the brokers).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        try mock.createTopic(name, partitions: partitions, replicationFactor: replicationFactor)
    }

    /// Makes Metadata responses report `topic` as unknown (`UNKNOWN_TOPIC_OR_PART`), the way a real cluster without
    /// the topic and without auto-creation answers (the mock brokers otherwise create any topic a client asks for).
    public func simulateMissingTopic(_ topic: String) throws(KafkaError) {
        try mock.setTopicUnknown(topic)
    }

    /// Makes `brokerId` the leader of a partition.
    public func setPartitionLeader(_ tp: TopicPartition, brokerId: Int32) throws(KafkaError) {
        try mock.setPartitionLeader(tp, brokerId: brokerId)
    }

    /// Takes a broker down: it closes its connections and refuses new ones until `setBrokerUp`.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try mock.setBroker(id, up: false)
    }

    /// Brings a broker taken down by `setBrokerDown` back.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try mock.setBroker(id, up: true)
    }

    /// Makes the next `errors.count` requests with Kafka API key `apiKey` (e.g. 0 = Produce, 1 = Fetch,
    /// 8 = OffsetCommit) fail with the given Kafka error codes (`KafkaError.code`), in order, on any broker.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        mock.pushRequestErrors(apiKey: apiKey, errors: errors)
    }

    /// Stops all brokers. Idempotent; later calls on the cluster throw.
    public func shutdown() {
        mock.destroy()
    }
}
