import Foundation
import Testing
@testable import Kafka

@Suite("Throughput (informational; debug builds are several times slower than release)")
struct ThroughputTests {
    @Test("200k records: sendAll and batch poll rates")
    func rates() async throws {
        let cluster = try Support.cluster(topic: "perf", partitions: 4)
        defer { cluster.shutdown() }
        let producer = try Support.producer(cluster.bootstrapServers)
        let n = 200_000
        let payload = Array(#"{"event_id": "e123456", "ts": "2025-10-28T11:30:48.773833+00:00", "usuario_id": 279, "accion": "view", "monto": null}"#.utf8)
        let msgs = (0..<n).map { KafkaOutgoingMessage(topic: "perf", partition: Int32($0 % 4), value: payload) }
        let clock = ContinuousClock()
        var t0 = clock.now
        _ = try await producer.sendAll(msgs)
        let produceTime = clock.now - t0
        #expect(try await producer.retentionViolations(topic: "perf").isEmpty)
        await producer.close()

        let consumer = try KafkaConsumer(config: Support.consumerConfig(cluster.bootstrapServers, group: "perf-g"))
        try consumer.subscribe(["perf"])
        var got = try await Support.consume(consumer, count: 1)
        t0 = clock.now
        let first = got.count
        while got.count < n, clock.now - t0 < .seconds(60) {
            got += try await consumer.poll(maxRecords: 50_000, timeout: .milliseconds(500))
        }
        let consumeTime = clock.now - t0
        await consumer.close()
        #expect(got.count == n)
        func rate(_ count: Int, _ d: Duration) -> Int {
            Int(Double(count) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
        }
        print("THROUGHPUT sendAll: \(rate(n, produceTime)) msg/s; poll: \(rate(got.count - first, consumeTime)) records/s")
    }
}
