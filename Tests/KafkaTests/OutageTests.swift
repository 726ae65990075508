import Foundation
import Testing
@testable import Kafka

@Suite("Broker failures")
struct OutageTests {
    @Test("the partition leader goes down for 5 s and comes back: no record lost")
    func leaderOutage() async throws {
        let cluster = try Support.cluster(topic: "o", partitions: 2)
        defer { cluster.shutdown() }
        let p0 = TopicPartition(topic: "o", partition: 0)
        try cluster.setPartitionLeader(p0, brokerId: 2)
        try cluster.setPartitionLeader(TopicPartition(topic: "o", partition: 1), brokerId: 3)
        let producer = try Support.producer(cluster.bootstrapServers)
        let consumer = try KafkaConsumer(config: Support.consumerConfig(cluster.bootstrapServers, group: "outage"))
        try consumer.subscribe(["o"])

        func batch(_ range: Range<Int>) -> [KafkaOutgoingMessage] {
            range.map { KafkaOutgoingMessage(topic: "o", partition: Int32($0 % 2), value: Support.bytes("v\($0)")) }
        }
        _ = try await producer.sendAll(batch(0..<1000))
        var got = try await Support.consume(consumer, count: 500)

        try cluster.setBrokerDown(2)
        // Produce while the leader is down: delivery waits for the broker to return (retries, idempotent).
        let pending = Task { try await producer.sendAll(batch(1000..<2000)) }
        let clock = ContinuousClock()
        let downUntil = clock.now + .seconds(5)
        while clock.now < downUntil {
            got += try await consumer.poll(maxRecords: 1000, timeout: .milliseconds(200))
        }
        try cluster.setBrokerUp(2)
        let delivered = try await pending.value
        #expect(delivered.count == 1000)
        got += try await Support.consume(consumer, count: 2000 - got.count)
        await consumer.close()
        await producer.close()

        let values = Set(got.map { String(decoding: $0.value ?? [], as: UTF8.self) })
        #expect(values == Set((0..<2000).map { "v\($0)" }))
        let w = try await KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers))
            .watermarks(p0, timeout: .seconds(5))
        #expect(w.high == 1000)
    }

    @Test("injected request errors are retried by the producer")
    func injectedErrors() async throws {
        let cluster = try Support.cluster(topic: "e", partitions: 1)
        defer { cluster.shutdown() }
        // Produce (API key 0) fails three times with NOT_LEADER_FOR_PARTITION (6), a retriable error.
        cluster.pushRequestErrors(apiKey: 0, errors: [6, 6, 6])
        let producer = try Support.producer(cluster.bootstrapServers)
        let r = try await producer.sendAll((0..<100).map { KafkaOutgoingMessage(topic: "e", value: Support.bytes("\($0)")) })
        #expect(r.count == 100)
        #expect(try await producer.watermarks(TopicPartition(topic: "e", partition: 0), timeout: .seconds(5)) == (0, 100))
        await producer.close()
    }
}
