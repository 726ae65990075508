import Dispatch
import Foundation
import Logging

/// A producer over librdkafka. Idempotent by default; compression lz4 by default.
///
/// Threading: a dedicated thread polls the handle (`rd_kafka_poll`), which runs the delivery-report
/// callback; enqueueing runs on a private serial queue; `flush` and metadata queries on a private
/// concurrent queue. Each `send`/`sendAll` call uses exactly one continuation, counted down by the
/// delivery reports (see `DeliveryBatch`).
///
/// Ownership: the `rd_kafka_t` is destroyed exactly once, after `close()` stopped the poll thread and the
/// last reference went away. Call `close()` (which flushes) before dropping the producer, or undelivered
/// messages are lost.
public final class KafkaProducer: Sendable {
    let client: RDKafkaClient
    private let enqueueQueue = DispatchQueue(label: "weir.kafka.producer.enqueue")
    private let opsQueue = DispatchQueue(label: "weir.kafka.producer.ops", attributes: .concurrent)
    private let stopPolling = Locked(false)
    private let pollerDone = DispatchSemaphore(value: 0)
    private let closed = Locked(false)

    /// - Throws: `KafkaError` with librdkafka's message for an invalid property or a failed `rd_kafka_new`.
    public init(config: KafkaProducerConfig) throws(KafkaError) {
        client = try RDKafkaClient.producer(config: try RDKafkaConfig(config.properties))
        let client = self.client, stop = stopPolling, done = pollerDone
        let thread = Thread {
            while !stop.withLock({ $0 }) { client.serveEvents(timeoutMs: 50) }
            // Fail whatever is still queued or in flight so that every pending send/sendAll resumes (with a
            // _PURGE_QUEUE / _PURGE_INFLIGHT error) instead of waiting forever.
            client.purgeAll()
            for _ in 0..<20 where client.outstanding > 0 { client.serveEvents(timeoutMs: 50) }
            client.serveEvents(timeoutMs: 0)
            done.signal()
        }
        thread.name = "weir.kafka.producer.poll"
        thread.start()
    }

    deinit {
        stopPolling.withLock { $0 = true }
    }

    /// Enqueues one message and returns where it was stored once its delivery report arrives.
    /// `partition` nil = the partitioner (consistent hash of the key, random for null keys).
    public func send(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?,
                     headers: [KafkaHeader] = []) async throws(KafkaError) -> (partition: Int32, offset: Int64) {
        let r = try await sendAll([KafkaOutgoingMessage(topic: topic, partition: partition, key: key, value: value, headers: headers)])
        return r[0]
    }

    /// Enqueues all `messages` and waits for every delivery report. Results are in input order.
    /// - Throws: the first failure (the other messages may still have been delivered).
    public func sendAll(_ messages: [KafkaOutgoingMessage]) async throws(KafkaError) -> [(partition: Int32, offset: Int64)] {
        let outcome = try await deliver(messages)
        if let e = outcome.firstError { throw e }
        return outcome.results.map { ($0.partition, $0.offset) }
    }

    /// Like `sendAll`, but never throws for individual delivery failures: returns how many messages were
    /// delivered and how many failed, with the first failure.
    /// - Throws: only when the producer is closed.
    public func sendAllCounting(_ messages: [KafkaOutgoingMessage]) async throws(KafkaError) -> DeliveryCounts {
        let outcome = try await deliver(messages)
        return DeliveryCounts(delivered: messages.count - outcome.failed, failed: outcome.failed,
                              firstError: outcome.firstError)
    }

    /// Like `sendAll`, but reports each message's outcome instead of throwing the first failure: element `i` is
    /// nil when message `i` was delivered, else its delivery error (librdkafka's own, e.g. `MSG_SIZE_TOO_LARGE`
    /// when it exceeds `message.max.bytes`, or `_MSG_TIMED_OUT` after `message.timeout.ms` of retries).
    /// - Throws: only when the producer is closed.
    public func sendAllReporting(_ messages: [KafkaOutgoingMessage]) async throws(KafkaError) -> [KafkaError?] {
        try await deliver(messages).errors
    }

    private func deliver(_ messages: [KafkaOutgoingMessage]) async throws(KafkaError) -> DeliveryBatch.Outcome {
        if closed.withLock({ $0 }) { throw KafkaError.closed }
        let batch = DeliveryBatch(count: messages.count)
        let client = self.client
        let outcome = await withCheckedContinuation { (cont: CheckedContinuation<DeliveryBatch.Outcome, Never>) in
            batch.start(cont)
            enqueueQueue.async { client.enqueue(messages, batch: batch) }
        }
        return outcome
    }

    /// Waits until every enqueued message got its delivery report.
    /// - Throws: `KafkaError` (`_TIMED_OUT`) if messages are still outstanding after `timeout`.
    public func flush(timeout: Duration) async throws(KafkaError) {
        let client = self.client
        try await Blocking.run(on: opsQueue) { () throws(KafkaError) in
            try client.flush(timeoutMs: timeout.kafkaMilliseconds)
        }
    }

    /// Low and high watermark of a partition, queried from its leader.
    public func watermarks(_ tp: TopicPartition, timeout: Duration) async throws(KafkaError) -> (low: Int64, high: Int64) {
        try await client.watermarks(tp, timeout: timeout, on: opsQueue)
    }

    /// Number of partitions of `topic` (metadata request).
    public func partitionCount(topic: String, timeout: Duration) async throws(KafkaError) -> Int {
        let client = self.client
        return try await Blocking.run(on: opsQueue) { () throws(KafkaError) -> Int in
            try client.partitionCount(topic: topic, timeoutMs: timeout.kafkaMilliseconds)
        }
    }

    /// Flushes (up to 30 s), then fails anything still undelivered (purge), and stops the poll thread.
    /// Idempotent. Pending `send`/`sendAll` calls always complete.
    public func close() async {
        await close(flushTimeout: .seconds(30))
    }

    /// `close()` with a custom flush timeout.
    public func close(flushTimeout: Duration) async {
        let first = closed.withLock { c -> Bool in defer { c = true }; return !c }
        guard first else { return }
        try? await flush(timeout: flushTimeout)
        stopPolling.withLock { $0 = true }
        let done = pollerDone
        await Blocking.run(on: opsQueue) { done.wait() }
    }
}

/// Delivery tally of a batch (see `KafkaProducer.sendAllCounting`).
public struct DeliveryCounts: Sendable {
    public let delivered: Int
    public let failed: Int
    /// The first delivery failure, if any.
    public let firstError: KafkaError?
}
