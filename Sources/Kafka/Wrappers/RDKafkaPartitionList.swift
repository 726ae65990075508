import CRdKafka

/// Wraps an `rd_kafka_topic_partition_list_t`.
///
/// Ownership: a list created by the `init`s below is owned and freed exactly once in `deinit`
/// (`rd_kafka_topic_partition_list_destroy`). A list handed to a callback by librdkafka is wrapped with
/// `borrowing:` and never freed by Swift.
final class RDKafkaPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    private let owned: Bool

    init(capacity: Int = 4) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(1, capacity)))
        owned = true
    }

    convenience init(_ partitions: [TopicPartition]) {
        self.init(capacity: partitions.count)
        for tp in partitions { add(tp, offset: nil) }
    }

    convenience init(_ offsets: [TopicPartition: Int64]) {
        self.init(capacity: offsets.count)
        for (tp, off) in offsets { add(tp, offset: off) }
    }

    /// Takes ownership of a list librdkafka returned to the caller (e.g. from `rd_kafka_assignment`).
    init(owning pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
        owned = true
    }

    init(borrowing pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
        owned = false
    }

    deinit {
        if owned { rd_kafka_topic_partition_list_destroy(pointer) }
    }

    /// Adds an entry; `offset` nil keeps librdkafka's `RD_KAFKA_OFFSET_INVALID` (-1001).
    func add(_ tp: TopicPartition, offset: Int64?) {
        let elem = rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition)!
        if let offset { elem.pointee.offset = offset }
    }

    /// Sets the offset of an existing entry.
    func setOffset(_ tp: TopicPartition, _ offset: Int64) {
        if let elem = rd_kafka_topic_partition_list_find(pointer, tp.topic, tp.partition) {
            elem.pointee.offset = offset
        }
    }

    var count: Int { Int(pointer.pointee.cnt) }

    /// Entries as (partition, offset, per-entry error).
    var entries: [(tp: TopicPartition, offset: Int64, err: rd_kafka_resp_err_t)] {
        var out: [(TopicPartition, Int64, rd_kafka_resp_err_t)] = []
        out.reserveCapacity(count)
        guard let elems = pointer.pointee.elems else { return [] }
        for i in 0..<count {
            let e = elems[i]
            out.append((TopicPartition(topic: String(cString: e.topic), partition: e.partition), e.offset, e.err))
        }
        return out
    }

    var partitions: [TopicPartition] { entries.map(\.tp) }
}
