import CRdKafka

/// Building `KafkaError`s from librdkafka's codes and error objects.
extension KafkaError {
    /// Builds an error from a librdkafka response code, with `context` prefixed to librdkafka's text.
    init(_ err: rd_kafka_resp_err_t, _ context: String) {
        let text = String(cString: rd_kafka_err2str(err))
        self.init(code: err.rawValue, reason: "\(context): \(text)", isRetriable: KafkaError.retriable(err))
    }

    /// Builds an error from an `rd_kafka_error_t`, which this initializer destroys (takes ownership).
    init(consuming error: OpaquePointer, _ context: String) {
        let code = rd_kafka_error_code(error)
        let text = String(cString: rd_kafka_error_string(error))
        let retriable = rd_kafka_error_is_retriable(error) != 0
        rd_kafka_error_destroy(error)
        self.init(code: code.rawValue, reason: "\(context): \(text)", isRetriable: retriable)
    }

    static func retriable(_ err: rd_kafka_resp_err_t) -> Bool {
        switch err {
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
             RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
             RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
             RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
             RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
             RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// Decodes a NUL-terminated C error buffer (`errstr`) filled by librdkafka.
    init(errstr buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(decoding: bytes, as: UTF8.self)
    }
}

extension KafkaError {
    /// The record was refused for its size: larger than the producer's `message.max.bytes` (refused before
    /// sending) or than the topic's `max.message.bytes` (refused by the broker).
    public var isRecordTooLarge: Bool {
        [RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE]
            .contains { $0.rawValue == code }
    }

    /// A delivery failure that says nothing about the record itself: the brokers were unreachable until
    /// `message.timeout.ms` ran out, a retriable broker error, the producer is shutting down or failed fatally.
    /// Sending the same record again later can succeed.
    public var isTransientDelivery: Bool {
        isRetriable || [RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT,
                        RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__DESTROY].contains { $0.rawValue == code } || code == -1
    }
}
