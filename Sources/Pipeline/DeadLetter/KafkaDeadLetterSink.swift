import EventSchema
import Foundation
import Kafka

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

    /// - Parameters:
    ///   - producer: an idempotent producer.
    ///   - topic: the DLQ topic; it must exist.
    ///   - bootstrapServers / consumerProperties: for the recovery scan's consumer (pass-through properties such
    ///     as `security.protocol`).
    public init(producer: KafkaProducer, topic: String, bootstrapServers: String, consumerProperties: [String: String] = [:]) {
        self.producer = producer
        self.topic = topic
        self.bootstrapServers = bootstrapServers
        self.consumerProperties = consumerProperties
    }

    public func deliver(_ records: [DeadLetterRecord], committer: TableCommit) async throws -> DeadLetterDelivery {
        if !records.isEmpty {
            let messages = records.map { r in
                KafkaOutgoingMessage(topic: topic, partition: nil,
                                     key: r.key ?? Array("\(r.sourceTopic)/\(r.sourcePartition)/\(r.sourceOffset)".utf8),
                                     value: r.encodedEnvelope,
                                     headers: r.headerPairs.map { KafkaHeader(key: $0.0, value: Array($0.1.utf8)) })
            }
            _ = try await producer.sendAll(messages)
        }
        return DeadLetterDelivery(marks: try await highWatermarks())
    }

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
