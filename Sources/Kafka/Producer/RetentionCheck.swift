/// Detects silent data loss on size-capped brokers (notably the embedded mock cluster, which keeps only
/// about 5 MiB and 100,000 message sets per partition and drops the oldest data past that).
public struct RetentionViolation: Sendable, Equatable, CustomStringConvertible {
    public let partition: TopicPartition
    /// The partition's low watermark: the number of leading records already dropped (> 0).
    public let lowWatermark: Int64
    public let highWatermark: Int64

    public var description: String {
        "\(partition): low watermark \(lowWatermark) > 0 (\(lowWatermark) of \(highWatermark) records dropped by the broker)"
    }
}

extension KafkaProducer {
    /// Queries every partition of `topic` and returns those whose low watermark moved past 0, i.e. whose
    /// oldest records the broker already discarded. Empty = nothing lost.
    /// - Throws: when the partition count or a watermark cannot be queried.
    public func retentionViolations(topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> [RetentionViolation] {
        let n = try await partitionCount(topic: topic, timeout: timeout)
        var out: [RetentionViolation] = []
        for p in 0..<n {
            let tp = TopicPartition(topic: topic, partition: Int32(p))
            let w = try await watermarks(tp, timeout: timeout)
            if w.low > 0 { out.append(RetentionViolation(partition: tp, lowWatermark: w.low, highWatermark: w.high)) }
        }
        return out
    }
}
