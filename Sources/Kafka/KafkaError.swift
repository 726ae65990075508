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

    /// A wrapper-level error that has no librdkafka code.
    static func client(_ reason: String) -> KafkaError {
        KafkaError(code: -1, reason: reason, isRetriable: false)
    }

    static let closed = KafkaError.client("the client is closed")

    public var description: String {
        "KafkaError(\(code)\(isRetriable ? ", retriable" : "")): \(reason)"
    }
}
