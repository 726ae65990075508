import EventSchema
import Foundation
import Kafka

/// One DLQ record read back for a replay.
public struct ReplayCandidate: Sendable {
    /// Where it came from: `file:line` (1-based) or `topic[partition]@offset`.
    public let origin: String
    public let key: [UInt8]?
    /// The original payload; nil for a tombstone or an unreadable envelope.
    public let payload: [UInt8]?
    /// The reason it was dead-lettered.
    public let reason: String
    /// The envelope holds only a prefix of the payload (`truncated: true`): it cannot be replayed from the DLQ;
    /// the original is in the source topic at the envelope's `source` coordinates.
    public var truncated = false
}

/// What a replay did.
public struct ReplayReport: Sendable, Equatable {
    /// Records read from the DLQ (excluding those replayed by an earlier run, for files).
    public var read = 0
    /// Produced back to the source topic.
    public var replayed = 0
    /// Skipped because an earlier replay already sent them (file ledger).
    public var alreadyReplayed = 0
    /// Still rejected with the given schema, by reason (`schema`, `parse_error`, `not_object`, `tombstone`, …), or
    /// not replayable because the envelope holds only a prefix of the payload (`truncated`).
    public var stillFailing: [String: Int] = [:]

    public init() {}

    public func render() -> String {
        var lines = ["read      \(read)", "replayed  \(replayed)", "skipped   \(alreadyReplayed) (already replayed)",
                     "remaining \(stillFailing.values.reduce(0, +))"]
        for (reason, n) in stillFailing.sorted(by: { $0.key < $1.key }) { lines.append("  \(reason) \(n)") }
        return lines.joined(separator: "\n")
    }
}

/// Re-validates DLQ records with a (newer) schema and produces those that now pass back to the source topic.
///
/// Records that still fail stay where they are (files are never modified; for a topic the consumer group moves
/// past them — replay with a new `--group` to look at them again). Progress is recorded only after the produce
/// was acknowledged, so a crash re-sends at most the last batch, and the lake's dedup drops those again.
public struct DeadLetterReplayer: Sendable {
    private let decoder: StrictJSONDecoder
    private let validator: Validator

    public init(schema: EventSchema, limits: JSONLimits = .init()) {
        decoder = StrictJSONDecoder(limits: limits)
        validator = Validator(schema: schema)
    }

    /// nil when `payload` passes the schema now, else the reason it still fails.
    public func recheck(_ payload: [UInt8]?) -> String? {
        guard let payload else { return RejectionReason.tombstone.rawValue }
        let value: JSONValue
        do { value = try decoder.decode(payload) } catch { return RejectionReason.parseError.rawValue }
        guard case .object(let object) = value else { return RejectionReason.notObject.rawValue }
        return validator.validate(object).isValid ? nil : RejectionReason.schema.rawValue
    }

    /// nil when the candidate can be replayed now, else why not (`truncated`, or the reason it still fails).
    public func recheck(_ candidate: ReplayCandidate) -> String? {
        candidate.truncated ? "truncated" : recheck(candidate.payload)
    }

    /// Parses one DLQ envelope (see `DeadLetterRecord.envelope`).
    public static func candidate(envelope bytes: [UInt8], origin: String, key: [UInt8]?) -> ReplayCandidate {
        guard case .object(let o)? = try? StrictJSONDecoder().decode(bytes) else {
            return ReplayCandidate(origin: origin, key: key, payload: nil, reason: "unreadable_envelope")
        }
        var payload: [UInt8]?
        if case .string(let text)? = o["payload"] {
            payload = Array(text.utf8)
        } else if case .string(let b64)? = o["payload_base64"], let data = Data(base64Encoded: b64) {
            payload = Array(data)
        }
        var reason = "unknown"
        if case .string(let r)? = o["reason"] { reason = r }
        if case .bool(true)? = o["truncated"] {
            return ReplayCandidate(origin: origin, key: key, payload: nil, reason: reason, truncated: true)
        }
        return ReplayCandidate(origin: origin, key: key, payload: payload, reason: reason)
    }

    // MARK: files

    /// Replays the JSON Lines files under the local `directory` (e.g. `OUT_DIR/_dlq`), with the ledger at the
    /// local `ledgerPath` (see `replayFiles(storage:prefix:ledger:send:batchSize:)`).
    public func replayFiles(directory: String, ledgerPath: String, send: ([ReplayCandidate]) async throws -> Void,
                            batchSize: Int = 1000) async throws -> ReplayReport {
        let ledgerDirectory = (ledgerPath as NSString).deletingLastPathComponent
        return try await replayFiles(storage: POSIXStorage(root: directory, lockDirectory: directory), prefix: "",
                                     ledger: ReplayLedger(storage: POSIXStorage(root: ledgerDirectory, lockDirectory: ledgerDirectory),
                                                          name: (ledgerPath as NSString).lastPathComponent),
                                     send: send, batchSize: batchSize)
    }

    /// Replays the JSON Lines objects below `prefix` of `storage` (e.g. a lake's `_dlq`), skipping lines the
    /// `ledger` holds (default for a lake: `_weir/dlq-replay.ledger`), and recording the lines it sends after each
    /// acknowledged batch of at most `batchSize`. A line is known by its object's name below `prefix` and its
    /// 1-based line number.
    /// - Throws: the storage's error, or what `send` throws (the batch is then not recorded).
    public func replayFiles(storage: Storage, prefix: String, ledger: ReplayLedger, send: ([ReplayCandidate]) async throws -> Void,
                            batchSize: Int = 1000) async throws -> ReplayReport {
        var report = ReplayReport()
        try ledger.load()
        let start = prefix.isEmpty ? 0 : prefix.count + 1
        let names = try storage.objects(under: prefix).filter { $0.hasSuffix(".jsonl") }
        var batch: [ReplayCandidate] = []
        func flush() async throws {
            guard !batch.isEmpty else { return }
            try await send(batch)
            try ledger.record(batch.map(\.origin))
            report.replayed += batch.count
            batch.removeAll()
        }
        for object in names {
            guard let data = try storage.get(object) else { continue }
            let name = String(object.dropFirst(start))
            var lineNumber = 0
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                guard !line.isEmpty else { continue }
                let origin = "\(name):\(lineNumber)"
                if ledger.contains(origin) { report.alreadyReplayed += 1; continue }
                report.read += 1
                let c = Self.candidate(envelope: Array(line), origin: origin, key: nil)
                if let failing = recheck(c) {
                    report.stillFailing[failing, default: 0] += 1
                } else {
                    batch.append(c)
                    if batch.count >= batchSize { try await flush() }
                }
            }
        }
        try await flush()
        return report
    }

    // MARK: topic

    /// Replays a DLQ topic from the consumer group's committed offsets (else the start) to the end as of now,
    /// committing after each acknowledged produce.
    public func replayTopic(topic: String, bootstrapServers: String, groupId: String, properties: [String: String] = [:],
                            send: ([ReplayCandidate]) async throws -> Void) async throws -> ReplayReport {
        var report = ReplayReport()
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: bootstrapServers, clientId: "weir-dlq-replay-meta",
                                                                     extra: properties))
        defer { Task { await producer.close() } }
        let count = try await producer.partitionCount(topic: topic, timeout: .seconds(10))
        let consumer = try KafkaConsumer(config: KafkaConsumerConfig(
            bootstrapServers: bootstrapServers, groupId: groupId, clientId: "weir-dlq-replay",
            extra: properties.merging(["enable.auto.commit": "false"]) { $1 }))
        defer { Task { await consumer.close() } }
        let partitions = (0..<Int32(count)).map { TopicPartition(topic: topic, partition: $0) }
        let committed = try await consumer.committed(partitions, timeout: .seconds(10))
        var start: [TopicPartition: Int64] = [:]
        var end: [TopicPartition: Int64] = [:]
        for tp in partitions {
            let (low, high) = try await producer.watermarks(tp, timeout: .seconds(10))
            let from = max(committed[tp].map { $0 >= 0 ? $0 : low } ?? low, low)
            if high > from {
                start[tp] = from
                end[tp] = high
            }
        }
        guard !start.isEmpty else { return report }
        try await consumer.assign(start)
        var remaining = end
        let deadline = ContinuousClock.now + .seconds(120)
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw KafkaError(code: -1, reason: "DLQ replay of \(topic) did not reach the end within 120 s")
            }
            var batch: [ReplayCandidate] = []
            var next: [TopicPartition: Int64] = [:]
            for r in try await consumer.poll(maxRecords: 1000, timeout: .milliseconds(500)) {
                let tp = r.topicPartition
                guard let stop = remaining[tp], r.offset < stop else { continue }
                if r.offset + 1 >= stop { remaining[tp] = nil }
                next[tp] = r.offset + 1
                report.read += 1
                let c = Self.candidate(envelope: r.value ?? [], origin: "\(tp)@\(r.offset)", key: r.key)
                if let failing = recheck(c) {
                    report.stillFailing[failing, default: 0] += 1
                } else {
                    batch.append(c)
                }
            }
            if !batch.isEmpty { try await send(batch) }
            report.replayed += batch.count
            if !next.isEmpty { try await consumer.commit(next) }
        }
        return report
    }
}
