/// Which assigned partitions the consumer has read to their end (librdkafka's `PARTITION_EOF` events, enabled
/// with `enable.partition.eof`), so a batch-style run knows the topic is drained without waiting for a poll to time out.
///
/// Pure state, updated on the poll thread: an end event marks a partition, a later record of it unmarks it (new
/// records arrived), and any assignment change forgets everything (librdkafka reports the end again after the next
/// fetch of a partition that is still at its end).
public struct EndOfPartitions: Sendable, Equatable {
    public private(set) var atEnd: Set<TopicPartition> = []

    public init() {}

    /// librdkafka reported that `partition` has no more records for now.
    public mutating func reachedEnd(_ partition: TopicPartition) {
        atEnd.insert(partition)
    }

    /// A record of `partition` arrived: it is no longer known to be at its end.
    public mutating func received(_ partition: TopicPartition) {
        atEnd.remove(partition)
    }

    /// The assignment changed.
    public mutating func reset() {
        atEnd = []
    }

    /// Whether every partition of a non-empty `assignment` is at its end.
    public func covers(_ assignment: [TopicPartition]) -> Bool {
        !assignment.isEmpty && assignment.allSatisfy(atEnd.contains)
    }
}
