import EventSchema
import Foundation
import Kafka
import Logging

/// Produces DLQ records to a Kafka topic (default `<topic>_dlq`) with the JSON envelope as value, the original
/// key, and the same facts as `weir.*` headers.
///
/// Exactly-once into the DLQ: delivery is acknowledged before the commit, and the commit records, per DLQ
/// partition, the high watermark after delivery (a `DeadLetterMark`). If a crash falls between delivery and
/// commit, the next owner of the source partition scans each DLQ partition from its mark and skips the records
/// whose `weir.source.*` headers show they are already there.
public final class KafkaDeadLetterSink: DeadLetterSink, @unchecked Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let bootstrapServers: String
    private let consumerProperties: [String: String]
    /// The largest record the DLQ accepts; every envelope is cut to fit it.
    public let limit: DeadLetterSizeLimit
    /// The producer's `message.timeout.ms`: a record handed to it is delivered or has failed within this.
    public let messageTimeout: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - producer: an idempotent producer.
    ///   - topic: the DLQ topic; it must exist.
    ///   - bootstrapServers / consumerProperties: for the recovery scan's consumer (pass-through properties such
    ///     as `security.protocol`).
    ///   - limit: the largest record the DLQ accepts (see `DeadLetterSizeLimit.resolve`); librdkafka's default
    ///     `message.max.bytes` when not given.
    ///   - messageTimeout: the producer's `message.timeout.ms` (`KafkaProducerConfig.effectiveMessageTimeout`);
    ///     it bounds how long a delivery permit must last. Default 300 s, `KafkaProducerConfig`'s default.
    public init(producer: KafkaProducer, topic: String, bootstrapServers: String, consumerProperties: [String: String] = [:],
                limit: DeadLetterSizeLimit = .resolve(topicMaxMessageBytes: nil, producerMessageMaxBytes: nil),
                messageTimeout: Duration = .seconds(300), logger: Logger = Logger(label: "weir.dlq")) {
        self.producer = producer
        self.topic = topic
        self.bootstrapServers = bootstrapServers
        self.consumerProperties = consumerProperties
        self.limit = limit
        self.messageTimeout = messageTimeout
        self.logger = logger
    }

    public var deliveryTimeout: Duration? { messageTimeout }

    /// Delivers every record: its envelope cut to `limit` when needed (`truncated: true`). A record the DLQ still
    /// refuses for its size is sent again as the minimal envelope (no payload, no errors); a record refused for any
    /// other lasting reason (authorization, an invalid record, or the minimal envelope refused too) goes to the
    /// file DLQ (`OUT_DIR/_dlq/`, published by this commit) with an error log. Nothing is skipped silently, and no
    /// record can stop the pipeline. `permit` is asked right before each send (the records, then the minimal
    /// envelopes of those refused for their size).
    /// - Throws: the first transient failure (`KafkaError.isTransientDelivery`: brokers unreachable for
    ///   `message.timeout.ms`, shutdown), or the permit's error; the commit is then not attempted and nothing is lost.
    public func deliver(_ records: [DeadLetterRecord], committer: TableCommit, permit: DeliveryPermit) async throws -> DeadLetterDelivery {
        var delivery = DeadLetterDelivery()
        if !records.isEmpty {
            var messages: [KafkaOutgoingMessage] = []
            messages.reserveCapacity(records.count)
            for r in records {
                let (message, truncated) = message(for: r)
                messages.append(message)
                if truncated { delivery.truncated += 1 }
            }
            var failed: [(record: DeadLetterRecord, error: KafkaError)] = []
            var retry: [DeadLetterRecord] = []
            try await permit.request()
            for (i, error) in try await producer.sendAllReporting(messages).enumerated() {
                guard let error else { continue }
                if error.isTransientDelivery { throw error }
                if error.isRecordTooLarge { retry.append(records[i]) } else { failed.append((records[i], error)) }
            }
            if !retry.isEmpty {
                let minimal = retry.map { minimalMessage(for: $0) }
                try await permit.request()
                for (i, error) in try await producer.sendAllReporting(minimal).enumerated() {
                    guard let error else { delivery.truncated += 1; continue }
                    if error.isTransientDelivery { throw error }
                    failed.append((retry[i], error))
                }
            }
            if !failed.isEmpty {
                for (r, error) in failed {
                    logger.error("the DLQ topic refused a record; it goes to the file DLQ instead", metadata: [
                        "dlq_topic": "\(topic)", "topic": "\(r.sourceTopic)", "partition": "\(r.sourcePartition)",
                        "offset": "\(r.sourceOffset)", "error": "\(error)",
                        "file_dlq": "\(committer.layout.root)/_dlq"])
                }
                let staged = try await FileDeadLetterSink().deliver(failed.map(\.record), committer: committer)
                delivery.stagedFiles = staged.stagedFiles
                delivery.toFile = failed.count
            }
        }
        delivery.marks = try await highWatermarks()
        return delivery
    }

    /// The record as a DLQ message, its envelope cut to the budget its key and headers leave; whether it was cut.
    func message(for r: DeadLetterRecord) -> (KafkaOutgoingMessage, truncated: Bool) {
        var key = r.key ?? coordinateKey(r)
        var headers = r.headerPairs + [("weir.truncated", "false")]
        // A key that would crowd out the envelope (it may be as large as the record limit) gives way to the
        // coordinates, which the envelope and the headers carry anyway.
        if key.count > limit.maxRecordBytes / 4 { key = coordinateKey(r) }
        let envelope = r.boundedEnvelope(maxBytes: limit.envelopeBudget(keyBytes: key.count, headers: headers))
        if envelope.truncated { headers[headers.count - 1].1 = "true" }
        return (KafkaOutgoingMessage(topic: topic, partition: nil, key: key, value: envelope.bytes,
                                     headers: headers.map { KafkaHeader(key: $0.0, value: Array($0.1.utf8)) }), envelope.truncated)
    }

    private func minimalMessage(for r: DeadLetterRecord) -> KafkaOutgoingMessage {
        let headers = r.headerPairs + [("weir.truncated", "true")]
        return KafkaOutgoingMessage(topic: topic, partition: nil, key: coordinateKey(r), value: r.minimalEnvelope,
                                    headers: headers.map { KafkaHeader(key: $0.0, value: Array($0.1.utf8)) })
    }

    private func coordinateKey(_ r: DeadLetterRecord) -> [UInt8] { Array("\(r.sourceTopic)/\(r.sourcePartition)/\(r.sourceOffset)".utf8) }

    public func close() async {
        try? await producer.flush(timeout: .seconds(10))
        await producer.close()
    }

    private func highWatermarks() async throws -> [DeadLetterMark] {
        let count = try await producer.partitionCount(topic: topic, timeout: .seconds(10))
        var marks: [DeadLetterMark] = []
        for p in 0..<Int32(count) {
            let (_, high) = try await producer.watermarks(TopicPartition(topic: topic, partition: p), timeout: .seconds(10))
            marks.append(DeadLetterMark(dlqTopic: topic, dlqPartition: p, scanFrom: high))
        }
        return marks
    }

    public func currentMarks() async throws -> [DeadLetterMark] { try await highWatermarks() }

    public func alreadyDelivered(from: [SourcePartition: Int64], marks: [SourcePartition: [DeadLetterMark]]) async throws -> Set<SourceCoordinate> {
        guard !from.isEmpty else { return [] }
        let count = try await producer.partitionCount(topic: topic, timeout: .seconds(10))
        var start: [TopicPartition: Int64] = [:]
        var end: [TopicPartition: Int64] = [:]
        for p in 0..<Int32(count) {
            let tp = TopicPartition(topic: topic, partition: p)
            let (low, high) = try await producer.watermarks(tp, timeout: .seconds(10))
            // The lowest mark of any assigned source partition (no mark at all: the whole partition).
            var first = high
            for source in from.keys {
                let mark = marks[source]?.first { $0.dlqTopic == topic && $0.dlqPartition == p }?.scanFrom ?? low
                first = min(first, mark)
            }
            first = max(first, low)
            if high > first {
                start[tp] = first
                end[tp] = high
            }
        }
        guard !start.isEmpty else { return [] }
        let scanner = try KafkaConsumer(config: KafkaConsumerConfig(
            bootstrapServers: bootstrapServers, groupId: "weir-dlq-scan-\(UUID().uuidString.prefix(8))",
            extra: consumerProperties))
        defer { Task { await scanner.close() } }
        try await scanner.assign(start)
        var found = Set<SourceCoordinate>()
        var remaining = end
        let deadline = ContinuousClock.now + .seconds(120)
        while !remaining.isEmpty && ContinuousClock.now < deadline {
            for record in try await scanner.poll(maxRecords: 5000, timeout: .milliseconds(500)) {
                let tp = TopicPartition(topic: record.topic, partition: record.partition)
                if let stop = remaining[tp], record.offset + 1 >= stop { remaining[tp] = nil }
                var headers: [String: String] = [:]
                for h in record.headers { headers[h.key] = h.value.flatMap { String(validating: $0, as: UTF8.self) } }
                guard let sourceTopic = headers["weir.source.topic"],
                      let sourcePartition = headers["weir.source.partition"].flatMap(Int32.init),
                      let offset = headers["weir.source.offset"].flatMap(Int64.init),
                      let first = from[SourcePartition(topic: sourceTopic, partition: sourcePartition)],
                      offset >= first else { continue }
                found.insert(SourceCoordinate(topic: sourceTopic, partition: sourcePartition, offset: offset))
            }
        }
        guard remaining.isEmpty else {
            throw KafkaError(code: -1, reason: "DLQ recovery scan of \(topic) did not reach the end within 120 s")
        }
        return found
    }
}
