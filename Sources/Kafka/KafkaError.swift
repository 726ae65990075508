import CRdKafka

/// An error reported by librdkafka or by the Swift wrapper.
///
/// - `code`: the `rd_kafka_resp_err_t` value (negative codes are librdkafka-internal, positive ones are Kafka
///   protocol errors); `-1` (`RD_KAFKA_RESP_ERR__FAIL`-like) for wrapper errors with no librdkafka code.
/// - `reason`: a human-readable message, librdkafka's own text where one exists (`rd_kafka_err2str`, the
///   `errstr` of `rd_kafka_conf_set`/`rd_kafka_new`, or `rd_kafka_error_string`).
/// - `isRetriable`: whether retrying the same operation may succeed.
/// - `property`, `detail`: for a configuration error, the librdkafka property and librdkafka's own message.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let reason: String
    public let isRetriable: Bool
    /// For an invalid configuration property: its key (nil otherwise).
    public let property: String?
    /// librdkafka's own message without the wrapper's context, when there is one.
    public let detail: String?

    public init(code: Int32, reason: String, isRetriable: Bool = false, property: String? = nil, detail: String? = nil) {
        self.code = code
        self.reason = reason
        self.isRetriable = isRetriable
        self.property = property
        self.detail = detail
    }

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

    /// A wrapper-level error that has no librdkafka code.
    static func client(_ reason: String) -> KafkaError {
        KafkaError(code: -1, reason: reason, isRetriable: false)
    }

    static let closed = KafkaError.client("the client is closed")

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

    public var description: String {
        "KafkaError(\(code)\(isRetriable ? ", retriable" : "")): \(reason)"
    }
}

extension String {
    /// Decodes a NUL-terminated C error buffer (`errstr`) filled by librdkafka.
    init(errstr buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(decoding: bytes, as: UTF8.self)
    }
}
