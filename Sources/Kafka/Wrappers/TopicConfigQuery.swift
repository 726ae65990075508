import CRdKafka
import Dispatch

/// Reads a topic's configuration from the brokers with the DescribeConfigs admin request (librdkafka's admin API on
/// an existing client handle; no extra connection).
enum TopicConfigQuery {
    /// The topic's configuration entries (`name → value`; entries without a value are left out). Blocking: call
    /// off the cooperative pool.
    /// - Throws: `KafkaError` when the request fails or times out, when the brokers do not support DescribeConfigs
    ///   (librdkafka's embedded mock cluster does not), or with the topic's own error (e.g. unknown topic).
    static func describe(_ client: RDKafkaClient, topic: String, timeoutMs: Int32) throws(KafkaError) -> [String: String] {
        let rk = client.handle
        guard let queue = rd_kafka_queue_new(rk) else { throw KafkaError.client("describe configs of \(topic): no queue") }
        defer { rd_kafka_queue_destroy(queue) }
        guard let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic) else {
            throw KafkaError.client("describe configs of \(topic): cannot create the resource")
        }
        defer { rd_kafka_ConfigResource_destroy(resource) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errstr = [CChar](repeating: 0, count: 256)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errstr, errstr.count)
        var resources: [OpaquePointer?] = [resource]
        resources.withUnsafeMutableBufferPointer { rd_kafka_DescribeConfigs(rk, $0.baseAddress, 1, options, queue) }
        // The result event arrives within the request timeout; the extra second covers the queue hand-off.
        guard let event = rd_kafka_queue_poll(queue, timeoutMs + 1_000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, "describe configs of \(topic)")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(err))
            throw KafkaError(code: err.rawValue, reason: "describe configs of \(topic): \(text)", isRetriable: KafkaError.retriable(err))
        }
        guard let result = rd_kafka_event_DescribeConfigs_result(event) else {
            throw KafkaError.client("describe configs of \(topic): unexpected result event")
        }
        var count = 0
        guard let list = rd_kafka_DescribeConfigs_result_resources(result, &count), count > 0, let described = list[0] else {
            throw KafkaError.client("describe configs of \(topic): no resource in the answer")
        }
        let resourceErr = rd_kafka_ConfigResource_error(described)
        guard resourceErr == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_ConfigResource_error_string(described).map { String(cString: $0) } ?? ""
            throw KafkaError(code: resourceErr.rawValue, reason: "describe configs of \(topic): \(text.isEmpty ? String(cString: rd_kafka_err2str(resourceErr)) : text)",
                             isRetriable: KafkaError.retriable(resourceErr))
        }
        var entryCount = 0
        var out: [String: String] = [:]
        if let entries = rd_kafka_ConfigResource_configs(described, &entryCount) {
            for i in 0..<entryCount {
                guard let entry = entries[i], let name = rd_kafka_ConfigEntry_name(entry), let value = rd_kafka_ConfigEntry_value(entry) else { continue }
                out[String(cString: name)] = String(cString: value)
            }
        }
        return out
    }
}

extension KafkaProducer {
    /// The configuration of `topic` as the brokers report it (DescribeConfigs), e.g. `max.message.bytes`.
    /// - Throws: `KafkaError` when the brokers cannot answer within `timeout`, do not support DescribeConfigs (the
    ///   embedded mock cluster), or report an error for the topic.
    public func topicConfig(_ topic: String, timeout: Duration) async throws(KafkaError) -> [String: String] {
        let client = self.client
        return try await Blocking.run(on: DispatchQueue.global()) { () throws(KafkaError) -> [String: String] in
            try TopicConfigQuery.describe(client, topic: topic, timeoutMs: timeout.kafkaMilliseconds)
        }
    }
}
