import Foundation
import Testing
@testable import Kafka

@Suite("Embedded cluster lifecycle")
struct EmbeddedClusterTests {
    @Test("bootstrap lists every broker; shutdown is idempotent; calls after shutdown throw")
    func lifecycle() throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let hosts = cluster.bootstrapServers.split(separator: ",")
        #expect(hosts.count == 3)
        #expect(hosts.allSatisfy { $0.hasPrefix("127.0.0.1:") })
        try cluster.createTopic("a", partitions: 2)
        #expect(throws: KafkaError.self) { try cluster.setBrokerDown(99) }
        cluster.shutdown()
        cluster.shutdown()
        #expect(throws: KafkaError.self) { try cluster.createTopic("b", partitions: 1) }
    }

    @Test("lag is absent without a committed offset and never negative")
    func lagUnknown() async throws {
        let cluster = try Support.cluster(topic: "lag", partitions: 1)
        defer { cluster.shutdown() }
        let producer = try Support.producer(cluster.bootstrapServers)
        _ = try await producer.sendAll((0..<10).map { KafkaOutgoingMessage(topic: "lag", value: Support.bytes("\($0)")) })
        await producer.close()
        let consumer = try KafkaConsumer(config: Support.consumerConfig(cluster.bootstrapServers, group: "lag-g"))
        try consumer.subscribe(["lag"])
        #expect(try await Support.consume(consumer, count: 10).count == 10)
        let tp = TopicPartition(topic: "lag", partition: 0)
        #expect(await consumer.lag(timeout: .seconds(5))[tp] == nil)
        try await consumer.commit([tp: 4])
        #expect(await consumer.lag(timeout: .seconds(5))[tp] == 6)
        try await consumer.commit([tp: 10])
        #expect(await consumer.lag(timeout: .seconds(5))[tp] == 0)
        #expect(try await consumer.watermarks(tp, timeout: .seconds(5)) == (0, 10))
        await consumer.close()
    }

    @Test("a consumer dropped without close() leaves the group cleanly; a producer dropped without close() too")
    func dropWithoutClose() async throws {
        let cluster = try Support.cluster(topic: "drop", partitions: 1)
        defer { cluster.shutdown() }
        do {
            let producer = try Support.producer(cluster.bootstrapServers)
            _ = try await producer.send(topic: "drop", key: nil, value: [1])
            let consumer = try KafkaConsumer(config: Support.consumerConfig(cluster.bootstrapServers, group: "drop-g"))
            try consumer.subscribe(["drop"])
            #expect(try await Support.consume(consumer, count: 1).count == 1)
        }
        try await Task.sleep(for: .seconds(1))
    }

    @Test("close() fails undeliverable messages instead of leaving send/sendAll waiting")
    func closePurges() async throws {
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: "127.0.0.1:1",
                                                                     extra: ["log_level": "0"]))
        let pending = Task { try await producer.sendAll([KafkaOutgoingMessage(topic: "nowhere", value: [1])]) }
        try await Task.sleep(for: .milliseconds(200))
        await producer.close(flushTimeout: .milliseconds(300))
        await #expect(throws: KafkaError.self) { _ = try await pending.value }
        await #expect(throws: KafkaError.self) { _ = try await producer.send(topic: "t", key: nil, value: [1]) }
    }

    @Test("topicConfig: the mock cluster has no DescribeConfigs, so it fails within its timeout instead of hanging")
    func topicConfigOnTheMockFailsWithinTheTimeout() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("described", partitions: 1)
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers))
        _ = try await producer.partitionCount(topic: "described", timeout: .seconds(10))
        let started = ContinuousClock.now
        await #expect(throws: KafkaError.self) { _ = try await producer.topicConfig("described", timeout: .seconds(2)) }
        #expect(ContinuousClock.now - started < .seconds(60), "a safety net: it must end, not hang")
        await producer.close()
    }
}
