import Foundation
import Kafka

/// Produces generated pi2 events into the demo's topic, optionally at a fixed rate, and checks afterwards that
/// the embedded brokers kept everything (their retention cap silently drops old data).
final class DemoProducer: @unchecked Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private var generator: Pi2EventGenerator
    private let lock = NSLock()
    private var _delivered = 0

    init(bootstrapServers: String, topic: String, generator: Pi2EventGenerator) throws {
        producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: bootstrapServers, clientId: "weir-demo-producer"))
        self.topic = topic
        self.generator = generator
    }

    /// Messages acknowledged so far.
    var delivered: Int { lock.withLock { _delivered } }

    /// Produces `count` events, `rate` per second (0: unlimited), round robin over the topic's partitions (the
    /// partitioner's sticky choice for keyless records can put most of a fast run into one partition, past the
    /// embedded brokers' cap of about 5 MiB a partition). Returns how many were delivered.
    /// - Throws: `KafkaError`, or when a partition's low watermark moved (data dropped by the embedded broker).
    func produce(count: Int, rate: Int) async throws -> Int {
        let chunk = rate > 0 ? max(1, min(5_000, rate / 10)) : 5_000
        let partitions = try await producer.partitionCount(topic: topic, timeout: .seconds(10))
        let started = ContinuousClock.now
        var sent = 0
        while sent < count {
            let n = min(chunk, count - sent)
            var messages: [KafkaOutgoingMessage] = []
            messages.reserveCapacity(n)
            for i in sent..<sent + n {
                messages.append(KafkaOutgoingMessage(topic: topic, partition: partitions > 0 ? Int32(i % partitions) : nil, value: generator.next()))
            }
            _ = try await producer.sendAll(messages)
            sent += n
            lock.withLock { _delivered = sent }
            if rate > 0 {
                let due = started + .milliseconds(Int64(sent) * 1000 / Int64(rate))
                if due > .now { try await Task.sleep(until: due) }
            }
        }
        let violations = try await producer.retentionViolations(topic: topic)
        guard violations.isEmpty else {
            throw KafkaError(code: -1, reason: "the embedded broker dropped data: \(violations); produce fewer events")
        }
        return sent
    }

    /// Records in all partitions of `topic` (high − low watermark).
    func messageCount(topic: String) async throws -> Int {
        let partitions = try await producer.partitionCount(topic: topic, timeout: .seconds(10))
        var total: Int64 = 0
        for p in 0..<Int32(partitions) {
            let (low, high) = try await producer.watermarks(TopicPartition(topic: topic, partition: p), timeout: .seconds(10))
            total += high - low
        }
        return Int(total)
    }

    func close() async { await producer.close() }
}
