import CRdKafka

/// The high-level consumer's librdkafka calls. All block (except `assignment`, `pause` and `resume`): callers run
/// them on their own dispatch queues.
extension RDKafkaClient {
    /// A consumer handle; `rebalance` receives librdkafka's rebalance callbacks (see `RebalanceHandler`).
    static func consumer(config: RDKafkaConfig, rebalance: RebalanceHandler) throws(KafkaError) -> RDKafkaClient {
        RebalanceHandler.install(on: config.pointer!)
        let client = try RDKafkaClient(type: RD_KAFKA_CONSUMER, config: config, opaque: rebalance)
        // Route the main queue (errors, rebalances) to the consumer queue served by rd_kafka_consumer_poll.
        rd_kafka_poll_set_consumer(client.handle)
        return client
    }

    func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = RDKafkaPartitionList(capacity: topics.count)
        for t in topics { list.add(TopicPartition(topic: t, partition: RD_KAFKA_PARTITION_UA), offset: nil) }
        let err = rd_kafka_subscribe(handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "subscribe \(topics)") }
    }

    /// Synchronous commit of next offsets.
    func commit(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        let list = RDKafkaPartitionList(offsets)
        let err = rd_kafka_commit(handle, list.pointer, 0)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "commit") }
        for e in list.entries where e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(e.err, "commit \(e.tp)")
        }
    }

    /// The group's committed next offsets; partitions without one are absent.
    func committed(_ partitions: [TopicPartition], timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = RDKafkaPartitionList(partitions)
        let err = rd_kafka_committed(handle, list.pointer, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "committed") }
        var out: [TopicPartition: Int64] = [:]
        for e in list.entries where e.err == RD_KAFKA_RESP_ERR_NO_ERROR && e.offset >= 0 { out[e.tp] = e.offset }
        return out
    }

    func assignment() throws(KafkaError) -> [TopicPartition] {
        var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(handle, &raw)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let raw else { throw KafkaError(err, "assignment") }
        return RDKafkaPartitionList(owning: raw).partitions
    }

    func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = RDKafkaPartitionList(partitions)
        let err = rd_kafka_pause_partitions(handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "pause") }
    }

    func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = RDKafkaPartitionList(partitions)
        let err = rd_kafka_resume_partitions(handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "resume") }
    }

    /// `rd_kafka_seek_partitions`: each value is the next offset to consume.
    func seek(_ offsets: [TopicPartition: Int64], timeoutMs: Int32) throws(KafkaError) {
        let list = RDKafkaPartitionList(offsets)
        if let error = rd_kafka_seek_partitions(handle, list.pointer, timeoutMs) {
            let reason = String(cString: rd_kafka_error_string(error))
            rd_kafka_error_destroy(error)
            throw KafkaError(code: -1, reason: "seek: \(reason)")
        }
        for e in list.entries where e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(e.err, "seek \(e.tp)")
        }
    }

    /// One ListOffsets round (`rd_kafka_offsets_for_times`): the offset of each partition at `timestamp`
    /// (-2 the earliest, -1 the latest). Partitions whose leader did not answer are absent.
    func offsets(at timestamp: Int64, of partitions: [TopicPartition], timeoutMs: Int32) -> [TopicPartition: Int64] {
        let list = RDKafkaPartitionList(Dictionary(uniqueKeysWithValues: partitions.map { ($0, timestamp) }))
        _ = rd_kafka_offsets_for_times(handle, list.pointer, timeoutMs)
        var out: [TopicPartition: Int64] = [:]
        for e in list.entries where e.err == RD_KAFKA_RESP_ERR_NO_ERROR && e.offset >= 0 { out[e.tp] = e.offset }
        return out
    }

    /// `rd_kafka_assign`: direct assignment without the group protocol.
    func assign(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        let list = RDKafkaPartitionList(offsets)
        let err = rd_kafka_assign(handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "assign") }
    }

    /// Leaves the group, serving the final revocation (`rd_kafka_consumer_close`).
    func closeConsumer() { rd_kafka_consumer_close(handle) }

    /// The cluster id from a metadata request (`rd_kafka_clusterid`), nil when none arrived within `timeoutMs`.
    func clusterID(timeoutMs: Int32) -> String? {
        guard let id = rd_kafka_clusterid(handle, timeoutMs) else { return nil }
        defer { rd_kafka_mem_free(handle, id) }
        return String(cString: id)
    }
}
