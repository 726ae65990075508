import CRdKafka

/// Logical offsets librdkafka resolves when a partition is assigned or sought: start offsets
/// (`KafkaConsumer.init(startOffsets:)`) may use them instead of a number.
public enum KafkaOffset {
    /// The partition's first record (its low watermark).
    public static let beginning = Int64(RD_KAFKA_OFFSET_BEGINNING)
    /// The partition's end (its high watermark): only records produced after the assignment are read.
    public static let end = Int64(RD_KAFKA_OFFSET_END)
}
