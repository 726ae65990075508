/// The largest Kafka record the DLQ accepts, and the envelope budget it leaves for one record.
///
/// Two limits apply to a produced record: the producer's `message.max.bytes` (librdkafka refuses a larger
/// record before sending it; 1,000,000 by default) and the DLQ topic's `max.message.bytes` (the broker refuses a
/// larger record batch; 1,048,588 by default on Kafka). Weir asks the brokers for the topic's value at startup
/// (DescribeConfigs) and uses the smaller of the two.
public struct DeadLetterSizeLimit: Sendable, Equatable, CustomStringConvertible {
    /// librdkafka's default `message.max.bytes`.
    public static let librdkafkaDefault = 1_000_000
    /// Bytes kept free for the record batch and record framing (batch header 61 bytes, record varints, and the
    /// header framing), so that a record whose key, headers and value fit the budget also fits on the wire.
    public static let framingReserve = 512

    /// The largest record, in bytes (key + value + headers + framing).
    public let maxRecordBytes: Int
    /// Where the limit comes from, for the startup log: `topic max.message.bytes`, `producer message.max.bytes`.
    public let source: String

    public init(maxRecordBytes: Int, source: String) {
        self.maxRecordBytes = maxRecordBytes
        self.source = source
    }

    /// The smaller of the topic's `max.message.bytes` (nil when the brokers could not tell) and the producer's
    /// `message.max.bytes` (nil: librdkafka's default).
    public static func resolve(topicMaxMessageBytes: Int?, producerMessageMaxBytes: Int?) -> DeadLetterSizeLimit {
        let producer = producerMessageMaxBytes ?? librdkafkaDefault
        let producerSource = "producer message.max.bytes" + (producerMessageMaxBytes == nil ? " (librdkafka default)" : "")
        guard let topic = topicMaxMessageBytes, topic > 0 else { return DeadLetterSizeLimit(maxRecordBytes: producer, source: producerSource) }
        return topic < producer
            ? DeadLetterSizeLimit(maxRecordBytes: topic, source: "topic max.message.bytes")
            : DeadLetterSizeLimit(maxRecordBytes: producer, source: producerSource)
    }

    /// Bytes left for the envelope of a record with this key and these headers.
    public func envelopeBudget(keyBytes: Int, headers: [(String, String)]) -> Int {
        let headerBytes = headers.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 10 }
        return maxRecordBytes - Self.framingReserve - keyBytes - headerBytes
    }

    public var description: String { "\(maxRecordBytes) bytes (\(source))" }
}
