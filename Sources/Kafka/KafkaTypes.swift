/// A topic and one of its partitions.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// One record header. `value` is nil for a header with a null value (distinct from an empty value).
public struct KafkaHeader: Sendable, Equatable {
    public let key: String
    public let value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// A consumed record. Payloads are copied out of librdkafka exactly once into `[UInt8]`.
///
/// - `value` is nil for a tombstone (null value); an empty value is `[]`.
/// - `timestampMs` is milliseconds since the Unix epoch (create or log-append time), nil when unavailable.
public struct KafkaRecord: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]?
    public let headers: [KafkaHeader]
    public let timestampMs: Int64?

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
                headers: [KafkaHeader], timestampMs: Int64?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMs = timestampMs
    }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}

/// A consumer-group rebalance, reported after librdkafka applied it.
public enum RebalanceEvent: Sendable, Equatable {
    case assigned([TopicPartition])
    case revoked([TopicPartition])
}

/// A message to produce. `partition` nil = the configured partitioner; `value` nil = tombstone.
public struct KafkaOutgoingMessage: Sendable {
    public var topic: String
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
                headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}

extension Duration {
    /// Whole milliseconds, clamped to `0...Int32.max` (librdkafka timeouts are `int` milliseconds).
    var kafkaMilliseconds: Int32 {
        let (s, atto) = components
        let ms = s.multipliedReportingOverflow(by: 1000).partialValue + atto / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }
}
