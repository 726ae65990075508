import Foundation
import Testing
@testable import Kafka

@Suite("Mock cluster retention cap")
struct RetentionTests {
    @Test("overfilling a partition (> 5 MiB uncompressed) is detected as a retention violation")
    func overfill() async throws {
        let cluster = try Support.cluster(topic: "full", partitions: 1, brokers: 1)
        defer { cluster.shutdown() }
        let producer = try Support.producer(cluster.bootstrapServers, compression: "none")
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: 1000)
        let msgs = (0..<8_000).map { _ in KafkaOutgoingMessage(topic: "full", partition: 0, value: value) }
        _ = try await producer.sendAll(msgs)
        let violations = try await producer.retentionViolations(topic: "full")
        #expect(violations.count == 1)
        #expect(violations.first?.lowWatermark ?? 0 > 0)
        #expect(violations.first?.description.contains("dropped") == true)

        try cluster.createTopic("ok", partitions: 2)
        _ = try await producer.sendAll((0..<100).map { KafkaOutgoingMessage(topic: "ok", value: Support.bytes("\($0)")) })
        #expect(try await producer.retentionViolations(topic: "ok").isEmpty)
        await producer.close()
    }
}
