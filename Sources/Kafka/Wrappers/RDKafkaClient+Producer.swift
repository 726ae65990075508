import CRdKafka

/// The producer's librdkafka calls.
extension RDKafkaClient {
    /// A producer handle with the delivery-report callback installed (see `DeliveryBatch`).
    static func producer(config: RDKafkaConfig) throws(KafkaError) -> RDKafkaClient {
        DeliveryBatch.installCallback(on: config.pointer!)
        return try RDKafkaClient(type: RD_KAFKA_PRODUCER, config: config)
    }

    /// Enqueues `messages`; their delivery reports count `batch` down (see `ProducerEnqueue`).
    func enqueue(_ messages: [KafkaOutgoingMessage], batch: DeliveryBatch) { ProducerEnqueue.enqueue(handle, messages, batch: batch) }

    /// Serves delivery reports for up to `timeoutMs` (`rd_kafka_poll`).
    func serveEvents(timeoutMs: Int32) { rd_kafka_poll(handle, timeoutMs) }

    /// Messages not yet acknowledged (`rd_kafka_outq_len`).
    var outstanding: Int32 { rd_kafka_outq_len(handle) }

    /// Fails everything still queued or in flight (`rd_kafka_purge`), so every pending delivery report arrives.
    func purgeAll() { _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT) }

    /// Waits until every enqueued message got its delivery report (blocking).
    func flush(timeoutMs: Int32) throws(KafkaError) {
        let err = rd_kafka_flush(handle, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, "flush (\(outstanding) messages outstanding)")
        }
    }
}
