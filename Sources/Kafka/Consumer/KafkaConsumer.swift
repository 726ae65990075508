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
        let ends = Locked(EndOfPartitions())
        self.ends = ends
        let handler = RebalanceHandler(startOffsets: startOffsets, onRebalance: { event in
            ends.withLock { $0.reset() }
            onRebalance?(event)
        }, logger: logger)
        let client = try RDKafkaClient.consumer(config: conf, rebalance: handler)
        self.client = client
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
            if first { client.closeConsumer() }
        }
    }

    /// Subscribes to `topics` (replacing any previous subscription). Joining happens during `poll`.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        try client.subscribe(topics)
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
            try client.commit(offsets)
        }
    }

    /// The group's committed offsets (next offset to consume) for `partitions`; partitions without a
    /// committed offset are absent.
    public func committed(_ partitions: [TopicPartition], timeout: Duration) async throws(KafkaError) -> [TopicPartition: Int64] {
        let client = self.client
        return try await Blocking.run(on: opsQueue) { () throws(KafkaError) -> [TopicPartition: Int64] in
            try client.committed(partitions, timeoutMs: timeout.kafkaMilliseconds)
        }
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        try client.assignment()
    }

    /// Stops fetching from `partitions` (they stay assigned).
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try client.pause(partitions)
    }

    /// Resumes fetching from paused `partitions`.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try client.resume(partitions)
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
        try await client.watermarks(tp, timeout: timeout, on: opsQueue)
    }

    /// The assigned partitions read to their end, as of the last poll (`enable.partition.eof`, on by default).
    public var endOfPartitions: EndOfPartitions { ends.withLock { $0 } }

    /// Wake-up requests the fetch waker sent so far; 0 without a waker (for tests).
    var fetchWakes: Int { fetchWaker?.wakes ?? 0 }
    /// Whether this consumer runs a fetch waker.
    var hasFetchWaker: Bool { fetchWaker != nil }
    /// Whether the fetch waker's thread (which holds the client) has returned; true without a waker.
    var fetchWakerReturned: Bool { fetchWaker?.hasReturned ?? true }

    /// Leaves the group (serving the final revocation) and stops the consumer. Idempotent.
    public func close() async {
        fetchWaker?.stop()
        let client = self.client, closed = self.closed, waker = self.fetchWaker
        await Blocking.run(on: pollQueue) {
            let first = closed.withLock { c -> Bool in defer { c = true }; return !c }
            if first { client.closeConsumer() }
            // The waker's thread holds the client while its last request runs: once close returns, the handle goes
            // with the last reference to this consumer, not up to a second later (after `weir demo` stopped its
            // brokers, a late handle logged them as down).
            waker?.waitUntilStopped()
        }
    }
}
