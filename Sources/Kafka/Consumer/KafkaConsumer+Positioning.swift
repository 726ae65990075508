import Dispatch

/// Seeks and assignments block in librdkafka: they run here, not on a global-queue worker.
private let positioningQueue = DispatchQueue(label: "weir.kafka.consumer.positioning", attributes: .concurrent)

extension KafkaConsumer {
    /// Moves the fetch position of assigned partitions (`rd_kafka_seek_partitions`). Each value is the next
    /// offset to consume. Records already fetched for those partitions are discarded by librdkafka.
    /// - Throws: `KafkaError` when a partition is not assigned or the seek times out.
    public func seek(_ offsets: [TopicPartition: Int64], timeout: Duration) async throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let client = self.client
        try await Blocking.run(on: positioningQueue) { () throws(KafkaError) in
            try client.seek(offsets, timeoutMs: Int32(timeout.kafkaMilliseconds))
        }
    }

    /// The low and high watermark of each partition (the first offset it still holds, and the offset its next
    /// record will get), in two ListOffsets rounds to the partitions' leaders (`rd_kafka_offsets_for_times` with
    /// the earliest and latest timestamps), so the whole set costs two round trips and at most `2 × timeout`.
    /// Partitions whose leader did not answer are absent.
    public func watermarks(_ partitions: [TopicPartition], timeout: Duration) async -> [TopicPartition: (low: Int64, high: Int64)] {
        guard !partitions.isEmpty else { return [:] }
        let client = self.client
        let bounds = await Blocking.run(on: positioningQueue) { () -> [TopicPartition: Watermarks] in
            func query(_ timestamp: Int64) -> [TopicPartition: Int64] {
                client.offsets(at: timestamp, of: partitions, timeoutMs: Int32(timeout.kafkaMilliseconds))
            }
            let low = query(-2), high = query(-1)  // ListOffsets: -2 the earliest offset, -1 the latest
            var out: [TopicPartition: Watermarks] = [:]
            for (tp, l) in low { if let h = high[tp] { out[tp] = Watermarks(low: l, high: h) } }
            return out
        }
        return bounds.mapValues { ($0.low, $0.high) }
    }

    /// Number of partitions of `topic` (a metadata request).
    /// - Throws: `KafkaError` when the brokers do not answer within `timeout` or the topic does not exist.
    public func partitionCount(topic: String, timeout: Duration) async throws(KafkaError) -> Int {
        let client = self.client
        return try await Blocking.run(on: positioningQueue) { () throws(KafkaError) -> Int in
            try client.partitionCount(topic: topic, timeoutMs: timeout.kafkaMilliseconds)
        }
    }

    /// Assigns partitions directly, without the group protocol (`rd_kafka_assign`), starting at the given
    /// offsets. For scans such as the DLQ recovery scan; do not mix with `subscribe`.
    public func assign(_ offsets: [TopicPartition: Int64]) async throws(KafkaError) {
        let client = self.client
        try await Blocking.run(on: positioningQueue) { () throws(KafkaError) in
            try client.assign(offsets)
        }
    }

    /// The id of the cluster the brokers belong to (`rd_kafka_clusterid`, from a metadata request), nil when the
    /// brokers did not answer within `timeout` or do not report one. Kafka gives every cluster its own id, so a lake
    /// can tell that its brokers were replaced by another cluster.
    public func clusterID(timeout: Duration) async -> String? {
        let client = self.client
        return await Blocking.run(on: positioningQueue) { () -> String? in
            client.clusterID(timeoutMs: Int32(timeout.kafkaMilliseconds))
        }
    }
}
