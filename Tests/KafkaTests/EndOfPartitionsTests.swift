import Foundation
import Testing
@testable import Kafka

@Suite("End of partitions: a consumer knows when it has read everything")
struct EndOfPartitionsTests {
    let a = TopicPartition(topic: "t", partition: 0)
    let b = TopicPartition(topic: "t", partition: 1)

    @Test("end events mark, later records unmark, a rebalance forgets")
    func stateMachine() {
        var ends = EndOfPartitions()
        #expect(!ends.covers([a, b]))
        #expect(!ends.covers([]), "nothing assigned is not drained")
        ends.reachedEnd(a)
        #expect(ends.covers([a]) && !ends.covers([a, b]))
        ends.reachedEnd(b)
        #expect(ends.covers([a, b]))
        ends.received(b)
        #expect(!ends.covers([a, b]) && ends.covers([a]))
        ends.reset()
        #expect(ends.atEnd.isEmpty)
    }

    @Test("reading a topic to its end covers the assignment, again after a late record")
    func drainedOnTheEmbeddedCluster() async throws {
        let cluster = try Support.cluster(topic: "e", partitions: 2)
        defer { cluster.shutdown() }
        let producer = try Support.producer(cluster.bootstrapServers)
        _ = try await producer.sendAll((0..<1_000).map {
            KafkaOutgoingMessage(topic: "e", partition: Int32($0 % 2), value: Support.bytes("v\($0)"))
        })
        let consumer = try KafkaConsumer(config: Support.consumerConfig(cluster.bootstrapServers, group: "eof-g"))
        try consumer.subscribe(["e"])
        let got = try await Support.consume(consumer, count: 1_000)
        #expect(got.count == 1_000)
        let assigned = try consumer.assignment()
        #expect(assigned.count == 2)
        let end = ContinuousClock.now + .seconds(30)
        while !consumer.endOfPartitions.covers(assigned), ContinuousClock.now < end {
            let more = try await consumer.poll(maxRecords: 100, timeout: .milliseconds(500))
            #expect(more.isEmpty)
        }
        #expect(consumer.endOfPartitions.covers(assigned))

        _ = try await producer.send(topic: "e", partition: 1, key: nil, value: Support.bytes("late"))
        await producer.close()
        let late = try await Support.consume(consumer, count: 1)
        #expect(late.map(\.partition) == [1])
        // The record unmarked its partition (EndOfPartitions.received); librdkafka reports the new end after it.
        let again = ContinuousClock.now + .seconds(30)
        while !consumer.endOfPartitions.covers(assigned), ContinuousClock.now < again {
            _ = try await consumer.poll(maxRecords: 100, timeout: .milliseconds(500))
        }
        #expect(consumer.endOfPartitions.covers(assigned))
        await consumer.close()
    }
}
