/// One record read from the source (a Kafka record, or a generated one in `weir simulate`).
public struct SourceRecord: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    /// The value; nil for a tombstone.
    public let value: [UInt8]?
    /// The record's timestamp in unix milliseconds, when known.
    public let timestampMs: Int64?

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?, timestampMs: Int64?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestampMs = timestampMs
    }

    public var sourcePartition: SourcePartition { SourcePartition(topic: topic, partition: partition) }
}
