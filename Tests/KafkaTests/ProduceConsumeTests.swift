import Foundation
import Testing
@testable import Kafka

@Suite("Produce and consume on the embedded cluster")
struct ProduceConsumeTests {
    @Test("tombstones, empty values, keys and headers arrive intact")
    func tombstonesAndHeaders() async throws {
        let cluster = try Support.cluster(topic: "t", partitions: 1)
        defer { cluster.shutdown() }
        let producer = try Support.producer(cluster.bootstrapServers)
        let headers = [KafkaHeader(key: "h1", value: Support.bytes("v1")), KafkaHeader(key: "nullh", value: nil),
                       KafkaHeader(key: "empty", value: [])]
        let a = try await producer.send(topic: "t", key: Support.bytes("k1"), value: nil, headers: headers)
        let b = try await producer.send(topic: "t", key: nil, value: [])
        let c = try await producer.send(topic: "t", key: Support.bytes("k3"), value: Support.bytes("hello"))
        #expect(a.offset == 0 && b.offset == 1 && c.offset == 2)
        await producer.close()

        let consumer = try KafkaConsumer(config: Support.consumerConfig(cluster.bootstrapServers, group: "g"))
        try consumer.subscribe(["t"])
        let recs = try await Support.consume(consumer, count: 3)
        await consumer.close()
        try #require(recs.count == 3)
        #expect(recs[0].value == nil)
        #expect(recs[0].key == Support.bytes("k1"))
        #expect(recs[0].headers == headers)
        #expect(recs[1].value == [])
        #expect(recs[1].key == nil)
        #expect(recs[1].headers.isEmpty)
        #expect(recs[2].value == Support.bytes("hello"))
        #expect(recs[2].timestampMs != nil)
        #expect(recs.map(\.offset) == [0, 1, 2])
        #expect(recs.allSatisfy { $0.topic == "t" && $0.partition == 0 })
    }

    @Test("sendAll delivers a batch in order; watermarks and partition count match")
    func sendAllAndWatermarks() async throws {
        let cluster = try Support.cluster(topic: "bulk", partitions: 4)
        defer { cluster.shutdown() }
        let producer = try Support.producer(cluster.bootstrapServers)
        let n = 50_000
        let msgs = (0..<n).map { i in
            KafkaOutgoingMessage(topic: "bulk", partition: Int32(i % 4), key: nil, value: Support.bytes("{\"i\":\(i)}"))
        }
        let clock = ContinuousClock()
        let start = clock.now
        let results = try await producer.sendAll(msgs)
        let elapsed = clock.now - start
        print("sendAll: \(n) messages in \(elapsed) (debug build)")
        #expect(results.count == n)
        #expect(results.enumerated().allSatisfy { $0.element.partition == Int32($0.offset % 4) })
        #expect(try await producer.partitionCount(topic: "bulk", timeout: .seconds(5)) == 4)
        for p in 0..<4 {
            let w = try await producer.watermarks(TopicPartition(topic: "bulk", partition: Int32(p)), timeout: .seconds(5))
            #expect(w.low == 0 && w.high == Int64(n / 4))
        }
        #expect(try await producer.sendAll([]).isEmpty)
        await producer.close()
        await producer.close()

        let consumer = try KafkaConsumer(config: Support.consumerConfig(cluster.bootstrapServers, group: "bulk-g"))
        try consumer.subscribe(["bulk"])
        let cstart = clock.now
        let recs = try await Support.consume(consumer, count: n)
        print("consume: \(recs.count) records in \(clock.now - cstart) (includes the group join, debug build)")
        #expect(recs.count == n)
        #expect(Set(recs.map { "\($0.partition):\($0.offset)" }).count == n)
        // The batched query: every partition at once; a partition that does not exist is absent.
        let all = (0..<5).map { TopicPartition(topic: "bulk", partition: Int32($0)) }
        let bounds = await consumer.watermarks(all, timeout: .seconds(5))
        #expect(Set(bounds.keys) == Set(all.prefix(4)))
        #expect(bounds.values.allSatisfy { $0.low == 0 && $0.high == Int64(n / 4) })
        await consumer.close()
    }
}
