import CRdKafka

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
/// Ownership: a dedicated producer handle owns the mock cluster; `shutdown()` destroys the mock cluster
/// exactly once (also done on deinit), then the handle is destroyed when the object goes away.
public final class EmbeddedKafkaCluster: Sendable {
    private let client: RDKafkaClient
    private let cluster: Locked<OpaquePointer?>
    /// Comma-separated `host:port` list of the brokers.
    public let bootstrapServers: String
    /// Number of brokers.
    public let brokerCount: Int

    /// Starts `brokers` mock brokers.
    /// - Throws: `KafkaError` when the handle or the mock cluster cannot be created.
    public init(brokers: Int = 3) throws(KafkaError) {
        let conf = try RDKafkaConfig(["log_level": "3"])
        client = try RDKafkaClient(type: RD_KAFKA_PRODUCER, config: conf)
        guard let mc = rd_kafka_mock_cluster_new(client.handle, Int32(brokers)) else {
            throw KafkaError.client("rd_kafka_mock_cluster_new(\(brokers)) failed")
        }
        cluster = Locked(mc)
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mc))
        brokerCount = brokers
    }

    deinit { shutdown() }

    private func withCluster<R>(_ body: (OpaquePointer) -> R) throws(KafkaError) -> R {
        let r: R? = cluster.withLock { mc in mc.map(body) }
        guard let r else { throw KafkaError.client("the embedded cluster is shut down") }
        return r
    }

    private static func check(_ err: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, what) }
    }

    /// Creates `name` with `partitions` partitions (leaders spread over the brokers).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let err = try withCluster { rd_kafka_mock_topic_create($0, name, Int32(partitions), Int32(replicationFactor)) }
        try Self.check(err, "create topic \(name)")
    }

    /// Makes Metadata responses report `topic` as unknown (`UNKNOWN_TOPIC_OR_PART`), the way a real cluster without
    /// the topic and without auto-creation answers (the mock brokers otherwise create any topic a client asks for).
    public func simulateMissingTopic(_ topic: String) throws(KafkaError) {
        try withCluster { rd_kafka_mock_topic_set_error($0, topic, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) }
    }

    /// Makes `brokerId` the leader of a partition.
    public func setPartitionLeader(_ tp: TopicPartition, brokerId: Int32) throws(KafkaError) {
        let err = try withCluster { rd_kafka_mock_partition_set_leader($0, tp.topic, tp.partition, brokerId) }
        try Self.check(err, "set leader of \(tp)")
    }

    /// Takes a broker down: it closes its connections and refuses new ones until `setBrokerUp`.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        let err = try withCluster { rd_kafka_mock_broker_set_down($0, id) }
        try Self.check(err, "broker \(id) down")
    }

    /// Brings a broker taken down by `setBrokerDown` back.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        let err = try withCluster { rd_kafka_mock_broker_set_up($0, id) }
        try Self.check(err, "broker \(id) up")
    }

    /// Makes the next `errors.count` requests with Kafka API key `apiKey` (e.g. 0 = Produce, 1 = Fetch,
    /// 8 = OffsetCommit) fail with the given `rd_kafka_resp_err_t` codes, in order, on any broker.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        _ = try? withCluster { mc in
            codes.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(mc, apiKey, $0.count, $0.baseAddress)
            }
        }
    }

    /// Stops all brokers. Idempotent; later calls on the cluster throw.
    public func shutdown() {
        cluster.withLock { mc in
            if let c = mc { rd_kafka_mock_cluster_destroy(c) }
            mc = nil
        }
    }
}
