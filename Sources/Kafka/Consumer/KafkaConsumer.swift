import CRdKafka
import Dispatch
import Logging

/// A consumer-group member over librdkafka's high-level consumer.
///
/// Threading: every blocking librdkafka call runs off the Swift cooperative pool — polling and closing on
/// a private serial queue (rebalance callbacks therefore run there too), commits and metadata queries on a
/// private concurrent queue — and is bridged back with a continuation. Auto-commit is off: the application
/// commits explicit offsets with `commit(_:)`.
///
/// Ownership: the `rd_kafka_t` is owned by an internal wrapper and destroyed exactly once after the last
/// reference is gone; every message is destroyed right after it is copied into a `KafkaRecord`.
public final class KafkaConsumer: Sendable {
    let client: RDKafkaClient
    private let pollQueue = DispatchQueue(label: "weir.kafka.consumer.poll")
    private let opsQueue = DispatchQueue(label: "weir.kafka.consumer.ops", attributes: .concurrent)
    private let closed = Locked(false)
    private let logger: Logger
    /// Partitions read to their end; updated on the poll queue (records, end events, rebalances).
    private let ends: Locked<EndOfPartitions>
    /// Wakes the fetchers while the queue drains (librdkafka without `fetch.queue.backoff.ms`; see `FetchWakePolicy`).
    private let fetchWaker: FetchWaker?

    /// Creates the consumer (does not join the group until `subscribe` and the first `poll`).
    ///
    /// - Parameters:
    ///   - startOffsets: called synchronously inside the assignment callback with the newly assigned
    ///     partitions; returns the offset to start each at (absent = the group's committed offset, else
    ///     `auto.offset.reset`). Runs on the consumer's poll thread: keep it fast, don't block on async work.
    ///   - onRebalance: told about every assignment and revocation after librdkafka applied it.
    /// - Throws: `KafkaError` with librdkafka's message for an invalid property or a failed `rd_kafka_new`.
    public init(config: KafkaConsumerConfig,
                startOffsets: (@Sendable ([TopicPartition]) -> [TopicPartition: Int64])? = nil,
                onRebalance: (@Sendable (RebalanceEvent) -> Void)? = nil,
                logger: Logger = Logger(label: "weir.kafka.consumer")) throws(KafkaError) {
        self.logger = logger
        let conf = try RDKafkaConfig(config.properties)
        RebalanceHandler.install(on: conf.pointer!)
        let ends = Locked(EndOfPartitions())
        self.ends = ends
        let handler = RebalanceHandler(startOffsets: startOffsets, onRebalance: { event in
            ends.withLock { $0.reset() }
            onRebalance?(event)
        }, logger: logger)
        let client = try RDKafkaClient(type: RD_KAFKA_CONSUMER, config: conf, opaque: handler)
        self.client = client
        // Route the main queue (errors, rebalances) to the consumer queue served by rd_kafka_consumer_poll.
        rd_kafka_poll_set_consumer(client.handle)
        fetchWaker = config.fetchWake.map { FetchWaker(client: client, policy: $0.policy, interval: $0.interval) }
        fetchWaker?.start()
    }

    /// Without an explicit `close()`, leaves the group asynchronously on the poll queue (after any in-flight
    /// poll); the closure keeps the handle alive until then.
    deinit {
        fetchWaker?.stop()
        let client = self.client, closed = self.closed
        pollQueue.async {
            let first = closed.withLock { c -> Bool in defer { c = true }; return !c }
            if first { rd_kafka_consumer_close(client.handle) }
        }
    }

    /// Subscribes to `topics` (replacing any previous subscription). Joining happens during `poll`.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = RDKafkaPartitionList(capacity: topics.count)
        for t in topics { list.add(TopicPartition(topic: t, partition: RD_KAFKA_PARTITION_UA), offset: nil) }
        let err = rd_kafka_subscribe(client.handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "subscribe \(topics)") }
    }

    /// Returns up to `maxRecords` records: waits up to `timeout` for them, returning early once
    /// `maxRecords` arrived. An empty array means nothing arrived in time. Also serves rebalance callbacks.
    /// - Throws: on a fatal consumer error or after `close()`. Non-fatal errors are logged and skipped.
    public func poll(maxRecords: Int, timeout: Duration) async throws(KafkaError) -> [KafkaRecord] {
        let client = self.client, closed = self.closed, logger = self.logger, waker = self.fetchWaker, ends = self.ends
        return try await Blocking.run(on: pollQueue) { () throws(KafkaError) -> [KafkaRecord] in
            if closed.withLock({ $0 }) { throw KafkaError.closed }
            let records = try ConsumerPollLoop.poll(client.handle, maxRecords: maxRecords,
                                                    timeoutMs: timeout.kafkaMilliseconds, ends: ends, logger: logger)
            waker?.delivered(records.count)
            return records
        }
    }

    /// Commits `offsets` synchronously; each value is the NEXT offset to consume (last processed + 1).
    public func commit(_ offsets: [TopicPartition: Int64]) async throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let client = self.client
        try await Blocking.run(on: opsQueue) { () throws(KafkaError) in
            let list = RDKafkaPartitionList(offsets)
            let err = rd_kafka_commit(client.handle, list.pointer, 0)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "commit") }
            for e in list.entries where e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(e.err, "commit \(e.tp)")
            }
        }
    }

    /// The group's committed offsets (next offset to consume) for `partitions`; partitions without a
    /// committed offset are absent.
    public func committed(_ partitions: [TopicPartition], timeout: Duration) async throws(KafkaError) -> [TopicPartition: Int64] {
        let client = self.client
        return try await Blocking.run(on: opsQueue) { () throws(KafkaError) -> [TopicPartition: Int64] in
            let list = RDKafkaPartitionList(partitions)
            let err = rd_kafka_committed(client.handle, list.pointer, timeout.kafkaMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "committed") }
            var out: [TopicPartition: Int64] = [:]
            for e in list.entries where e.err == RD_KAFKA_RESP_ERR_NO_ERROR && e.offset >= 0 { out[e.tp] = e.offset }
            return out
        }
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.handle, &raw)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let raw else { throw KafkaError(err, "assignment") }
        return RDKafkaPartitionList(owning: raw).partitions
    }

    /// Stops fetching from `partitions` (they stay assigned).
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = RDKafkaPartitionList(partitions)
        let err = rd_kafka_pause_partitions(client.handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "pause") }
    }

    /// Resumes fetching from paused `partitions`.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = RDKafkaPartitionList(partitions)
        let err = rd_kafka_resume_partitions(client.handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "resume") }
    }

    /// Lag per assigned partition = high watermark − committed offset, clamped at 0. Partitions whose
    /// committed offset or watermark is unknown (or whose query failed) are absent.
    public func lag(timeout: Duration) async -> [TopicPartition: Int64] {
        guard let partitions = try? assignment(), !partitions.isEmpty,
              let committed = try? await committed(partitions, timeout: timeout) else { return [:] }
        var out: [TopicPartition: Int64] = [:]
        for tp in partitions {
            guard let c = committed[tp], let w = try? await watermarks(tp, timeout: timeout), w.high >= 0 else { continue }
            out[tp] = max(0, w.high - c)
        }
        return out
    }

    /// Low and high watermark of any topic/partition, queried from its leader.
    public func watermarks(_ tp: TopicPartition, timeout: Duration) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let client = self.client
        let r = try await Blocking.run(on: opsQueue) { () throws(KafkaError) -> Watermarks in
            let w = try client.queryWatermarks(tp, timeoutMs: timeout.kafkaMilliseconds)
            return Watermarks(low: w.low, high: w.high)
        }
        return (r.low, r.high)
    }

    /// The assigned partitions read to their end, as of the last poll (`enable.partition.eof`, on by default).
    public var endOfPartitions: EndOfPartitions { ends.withLock { $0 } }

    /// Wake-up requests the fetch waker sent so far; 0 without a waker (for tests).
    var fetchWakes: Int { fetchWaker?.wakes ?? 0 }
    /// Whether this consumer runs a fetch waker.
    var hasFetchWaker: Bool { fetchWaker != nil }

    /// Leaves the group (serving the final revocation) and stops the consumer. Idempotent.
    public func close() async {
        fetchWaker?.stop()
        let client = self.client, closed = self.closed
        await Blocking.run(on: pollQueue) {
            let first = closed.withLock { c -> Bool in defer { c = true }; return !c }
            if first { rd_kafka_consumer_close(client.handle) }
        }
    }
}

struct Watermarks: Sendable {
    let low: Int64
    let high: Int64
}
