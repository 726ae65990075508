import Foundation
import Kafka

/// A `RecordSource` over a Kafka consumer group.
///
/// Every assignment starts each partition at the store's offset (inside librdkafka's rebalance callback), and
/// bumps the assignment generation so the run loop drops uncommitted work. Revocations bump it too. A partition the
/// store has no offset for starts at `auto.offset.reset` (its first record by default), never at the group's
/// committed offset: the store is the source of truth, and a group that already committed offsets for another lake
/// would otherwise make a new lake skip everything that group read.
public final class KafkaRecordSource: RecordSource, @unchecked Sendable {
    private let config: KafkaConsumerConfig
    private let topic: String
    private var consumer: KafkaConsumer?
    private let state = AssignmentState()
    public var assignmentGate: AssignmentGate? { state.gate }

    /// - Parameters:
    ///   - config: the consumer configuration (bootstrap servers, group id, pass-through properties).
    ///   - topic: the source topic.
    public init(config: KafkaConsumerConfig, topic: String) {
        self.config = config
        self.topic = topic
    }

    public func start(storedOffsets: @escaping @Sendable ([SourcePartition]) -> [SourcePartition: Int64]) async throws {
        let state = self.state
        let reset = config.autoOffsetReset == .latest ? KafkaOffset.end : KafkaOffset.beginning
        let consumer = try KafkaConsumer(config: config, startOffsets: { partitions in
            let assigned = partitions.map { SourcePartition(topic: $0.topic, partition: $0.partition) }
            // Read the store's offsets inside the gate, after any commit of this process has finished.
            let stored = state.assigned(assigned) { storedOffsets(assigned) }
            var out: [TopicPartition: Int64] = [:]
            for p in assigned { out[TopicPartition(topic: p.topic, partition: p.partition)] = stored[p] ?? reset }
            return out
        }, onRebalance: { event in
            if case .revoked(let partitions) = event {
                state.revoked(partitions.map { SourcePartition(topic: $0.topic, partition: $0.partition) })
            }
        })
        try consumer.subscribe([topic])
        self.consumer = consumer
    }

    public func poll(maxRecords: Int, timeout: Duration) async throws -> SourcePoll {
        guard let consumer else { throw KafkaError(code: -1, reason: "source not started") }
        let records = try await consumer.poll(maxRecords: maxRecords, timeout: timeout)
        let (generation, assignment) = state.snapshot()
        let drained = consumer.endOfPartitions.covers(assignment.map { TopicPartition(topic: $0.topic, partition: $0.partition) })
        return SourcePoll(records: records.map {
            SourceRecord(topic: $0.topic, partition: $0.partition, offset: $0.offset, key: $0.key, value: $0.value,
                         timestampMs: $0.timestampMs)
        }, assignmentGeneration: generation, assignment: assignment, drained: drained)
    }

    /// Rewinds assigned partitions. A partition revoked meanwhile is skipped (librdkafka answers `ERR__STATE`
    /// for it): the next poll reports the new assignment, and the run loop rewinds from the store then.
    public func seek(_ offsets: [SourcePartition: Int64]) async throws {
        guard let consumer, !offsets.isEmpty else { return }
        let assigned = Set((try? consumer.assignment()) ?? [])
        var tps: [TopicPartition: Int64] = [:]
        for (p, o) in offsets {
            let tp = TopicPartition(topic: p.topic, partition: p.partition)
            if assigned.contains(tp) { tps[tp] = o }
        }
        guard !tps.isEmpty else { return }
        // A seek is queued to the partitions' fetchers, and librdkafka waits for them to apply it. On a starved
        // machine that wait has exceeded 10 s (a run exited with "Timed out waiting for 2 remaining partition
        // seek(s)"); seeking again to the same offsets is harmless, so a timed-out seek is retried before giving up.
        for attempt in 1...Self.seekAttempts {
            do {
                try await consumer.seek(tps, timeout: .seconds(10))
                return
            } catch {
                // Revoked between the assignment check and the seek (librdkafka's ERR__STATE, -172); see above.
                if error.code == -172 || error.reason.contains("Erroneous state") { return }
                guard error.reason.contains("Timed out"), attempt < Self.seekAttempts else { throw error }
            }
        }
    }

    /// Seeks tried before a timed-out seek fails the run (each waits up to 10 s).
    static let seekAttempts = 6

    public func commit(_ offsets: [SourcePartition: Int64]) async throws {
        guard let consumer, !offsets.isEmpty else { return }
        var tps: [TopicPartition: Int64] = [:]
        for (p, o) in offsets { tps[TopicPartition(topic: p.topic, partition: p.partition)] = o }
        try await consumer.commit(tps)
    }

    public func lag() async -> [SourcePartition: Int64] {
        guard let consumer else { return [:] }
        var out: [SourcePartition: Int64] = [:]
        for (tp, lag) in await consumer.lag(timeout: .seconds(2)) { out[SourcePartition(topic: tp.topic, partition: tp.partition)] = lag }
        return out
    }

    public func offsetBounds(_ partitions: [SourcePartition]) async -> [SourcePartition: OffsetBounds] {
        guard let consumer else { return [:] }
        let tps = partitions.map { TopicPartition(topic: $0.topic, partition: $0.partition) }
        var out: [SourcePartition: OffsetBounds] = [:]
        for (tp, w) in await consumer.watermarks(tps, timeout: .seconds(10)) {
            out[SourcePartition(topic: tp.topic, partition: tp.partition)] = OffsetBounds(low: w.low, high: w.high)
        }
        return out
    }

    /// All partitions of the topic (a metadata request), their watermarks and the group's committed offsets, each
    /// query bounded by 10 s; nil when one fails.
    public func groupProgress() async -> [SourcePartition: GroupProgress]? {
        guard let consumer, let count = try? await consumer.partitionCount(topic: topic, timeout: .seconds(10)) else { return nil }
        let tps = (0..<Int32(count)).map { TopicPartition(topic: topic, partition: $0) }
        let bounds = await consumer.watermarks(tps, timeout: .seconds(10))
        guard bounds.count == tps.count, let committed = try? await consumer.committed(tps, timeout: .seconds(10)) else { return nil }
        var out: [SourcePartition: GroupProgress] = [:]
        for tp in tps {
            guard let b = bounds[tp] else { return nil }
            let start = committed[tp] ?? (config.autoOffsetReset == .latest ? b.high : nil)
            out[SourcePartition(topic: tp.topic, partition: tp.partition)] =
                GroupProgress(bounds: OffsetBounds(low: b.low, high: b.high), committed: start)
        }
        return out
    }

    /// One query to the group coordinator, bounded by 10 s.
    /// - Throws: `GroupOffsetsUnavailable` (this group, the bootstrap servers, librdkafka's error) on no answer or an error.
    public func groupCommitted(_ partitions: [SourcePartition]) async throws -> (group: String, offsets: [SourcePartition: Int64])? {
        guard let consumer else { return nil }
        let tps = partitions.map { TopicPartition(topic: $0.topic, partition: $0.partition) }
        let committed: [TopicPartition: Int64]
        do {
            committed = try await consumer.committed(tps, timeout: .seconds(10))
        } catch {
            throw GroupOffsetsUnavailable(group: config.groupId, brokers: config.bootstrapServers, cause: error.reason)
        }
        var out: [SourcePartition: Int64] = [:]
        for (tp, offset) in committed where offset >= 0 { out[SourcePartition(topic: tp.topic, partition: tp.partition)] = offset }
        return (config.groupId, out)
    }

    public func close() async {
        await consumer?.close()
    }

    public func clusterID() async -> String? {
        await consumer?.clusterID(timeout: .seconds(10))
    }

    /// Reads the record at each offset with a short-lived consumer of its own (assigned, outside the group), so
    /// the group member's positions are untouched. Waits at most 30 s in all.
    public func fingerprints(at offsets: [SourcePartition: Int64]) async -> [SourcePartition: RecordFingerprint]? {
        guard !offsets.isEmpty else { return [:] }
        var reader = KafkaConsumerConfig(bootstrapServers: config.bootstrapServers,
                                         groupId: "weir-fingerprint-\(UUID().uuidString.prefix(8))", clientId: config.clientId,
                                         fetchWakeInterval: nil, extra: config.extra)
        reader.maxPartitionFetchBytes = 65_536
        guard let scanner = try? KafkaConsumer(config: reader) else { return [:] }
        defer { Task { await scanner.close() } }
        var start: [TopicPartition: Int64] = [:]
        for (p, o) in offsets { start[TopicPartition(topic: p.topic, partition: p.partition)] = o }
        guard (try? await scanner.assign(start)) != nil else { return [:] }
        var found: [SourcePartition: RecordFingerprint] = [:]
        var pending = Set(offsets.keys)
        let deadline = ContinuousClock.now + .seconds(30)
        while !pending.isEmpty && ContinuousClock.now < deadline {
            guard let records = try? await scanner.poll(maxRecords: 1000, timeout: .milliseconds(500)) else { break }
            for r in records {
                let p = SourcePartition(topic: r.topic, partition: r.partition)
                guard pending.remove(p) != nil else { continue }
                // A first record past the offset: the one asked for was removed (retention, log compaction).
                if r.offset == offsets[p] { found[p] = RecordFingerprint(timestampMs: r.timestampMs, value: r.value) }
            }
            // Partitions read to their end without a record: nothing at or after the offset.
            if scanner.endOfPartitions.covers(pending.map { TopicPartition(topic: $0.topic, partition: $0.partition) }) { break }
        }
        return found
    }
}

/// The current assignment and its generation, updated from librdkafka's callback thread through the gate, so a
/// revocation waits for a commit in progress.
final class AssignmentState: @unchecked Sendable {
    let gate = AssignmentGate()
    private let lock = NSLock()
    private var partitions = Set<SourcePartition>()

    /// Records an assignment and, inside the gate, reads the start offsets with `read`.
    func assigned<T>(_ added: [SourcePartition], read: () -> T) -> T {
        var result: T?
        gate.changeAssignment {
            result = read()
            lock.withLock { partitions.formUnion(added) }
        }
        return result!
    }

    func revoked(_ removed: [SourcePartition]) {
        gate.changeAssignment { lock.withLock { partitions.subtract(removed) } }
    }

    /// The generation and the partitions it assigned. The gate's lock is taken before this one, the order
    /// `changeAssignment` takes them in (the other order could deadlock with a rebalance on another thread).
    func snapshot() -> (Int, [SourcePartition]) {
        gate.withGeneration { generation in lock.withLock { (generation, partitions.sorted()) } }
    }
}
