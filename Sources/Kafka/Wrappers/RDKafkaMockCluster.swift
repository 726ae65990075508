import CRdKafka

/// librdkafka's mock cluster (`rdkafka_mock.h`): N brokers on loopback TCP inside this process, owned by a
/// dedicated producer handle. `EmbeddedKafkaCluster` is its public face.
///
/// Ownership: `destroy()` destroys the mock cluster exactly once (later calls throw); the handle goes
/// away with this object, after the cluster. The lock serializes calls with `destroy()`.
final class RDKafkaMockCluster: Sendable {
    private let client: RDKafkaClient
    private let cluster: Locked<OpaquePointer?>
    /// Comma-separated `host:port` list of the brokers.
    let bootstrapServers: String

    /// Starts `brokers` mock brokers.
    init(brokers: Int) throws(KafkaError) {
        let conf = try RDKafkaConfig(["log_level": "3"])
        client = try RDKafkaClient(type: RD_KAFKA_PRODUCER, config: conf)
        guard let mc = rd_kafka_mock_cluster_new(client.handle, Int32(brokers)) else {
            throw KafkaError.client("rd_kafka_mock_cluster_new(\(brokers)) failed")
        }
        cluster = Locked(mc)
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mc))
    }

    private func withCluster<R>(_ body: (OpaquePointer) -> R) throws(KafkaError) -> R {
        let r: R? = cluster.withLock { mc in mc.map(body) }
        guard let r else { throw KafkaError.client("the embedded cluster is shut down") }
        return r
    }

    private func check(_ what: String, _ call: (OpaquePointer) -> rd_kafka_resp_err_t) throws(KafkaError) {
        let err = try withCluster(call)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, what) }
    }

    func createTopic(_ name: String, partitions: Int, replicationFactor: Int) throws(KafkaError) {
        try check("create topic \(name)") { rd_kafka_mock_topic_create($0, name, Int32(partitions), Int32(replicationFactor)) }
    }

    /// Metadata responses report `topic` as unknown (`UNKNOWN_TOPIC_OR_PART`).
    func setTopicUnknown(_ topic: String) throws(KafkaError) {
        try withCluster { rd_kafka_mock_topic_set_error($0, topic, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) }
    }

    func setPartitionLeader(_ tp: TopicPartition, brokerId: Int32) throws(KafkaError) {
        try check("set leader of \(tp)") { rd_kafka_mock_partition_set_leader($0, tp.topic, tp.partition, brokerId) }
    }

    func setBroker(_ id: Int32, up: Bool) throws(KafkaError) {
        try check("broker \(id) \(up ? "up" : "down")") { up ? rd_kafka_mock_broker_set_up($0, id) : rd_kafka_mock_broker_set_down($0, id) }
    }

    /// The next `errors.count` requests with API key `apiKey` fail with these error codes, in order.
    func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        _ = try? withCluster { mc in
            codes.withUnsafeBufferPointer { rd_kafka_mock_push_request_errors_array(mc, apiKey, $0.count, $0.baseAddress) }
        }
    }

    /// Stops all brokers; idempotent.
    func destroy() {
        cluster.withLock { mc in
            if let c = mc { rd_kafka_mock_cluster_destroy(c) }
            mc = nil
        }
    }
}
