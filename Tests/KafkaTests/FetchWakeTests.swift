import Foundation
import Testing
@testable import Kafka

@Suite("Fetch waker: the consumer fetches again as soon as its queue drains")
struct FetchWakeTests {
    @Test("wakes only while the application drains a queue below queued.min.messages")
    func policy() {
        let policy = FetchWakePolicy(queuedMinMessages: 1_000)
        #expect(policy.shouldWake(queueLength: 999, delivered: 1))
        #expect(policy.shouldWake(queueLength: 0, delivered: 500))
        #expect(!policy.shouldWake(queueLength: 1_000, delivered: 500))  // the fetcher would not fetch anyway
        #expect(!policy.shouldWake(queueLength: 0, delivered: 0))        // an idle consumer sends nothing
    }

    @Test("the threshold is librdkafka's queued.min.messages, default 100,000")
    func threshold() {
        #expect(FetchWakePolicy(properties: [:]).queuedMinMessages == 100_000)
        #expect(FetchWakePolicy(properties: ["queued.min.messages": "250000"]).queuedMinMessages == 250_000)
        let config = KafkaConsumerConfig(bootstrapServers: "b:9092", groupId: "g", extra: ["queued.min.messages": "5000"])
        if LibrdkafkaInfo.hasFetchQueueBackoff {
            // librdkafka ≥ 2.4 does it itself.
            #expect(config.fetchWake == nil)
            #expect(config.properties["fetch.queue.backoff.ms"] == "20")
        } else {
            #expect(config.fetchWake?.policy.queuedMinMessages == 5_000)
            #expect(config.fetchWake?.interval == .milliseconds(20))
            #expect(config.properties["fetch.queue.backoff.ms"] == nil)
        }
        #expect(config.fetchWakeSummary == (LibrdkafkaInfo.hasFetchQueueBackoff ? "fetch.queue.backoff.ms=20" : "waker every 20ms"))
        #expect(KafkaConsumerConfig(bootstrapServers: "b:9092", groupId: "g", fetchWakeInterval: nil).fetchWakeSummary == "librdkafka default")
        #expect(KafkaConsumerConfig(bootstrapServers: "b:9092", groupId: "g", fetchWakeInterval: nil).fetchWake == nil)
        #expect(KafkaConsumerConfig(bootstrapServers: "b:9092", groupId: "g", fetchWakeInterval: .zero).fetchWake == nil)
    }

    @Test("with a small queued.min.messages, the waker wakes the fetchers and every record arrives once, in order")
    func wakesAndDeliversExactlyOnce() async throws {
        let partitions = 3
        let cluster = try Support.cluster(topic: "w", partitions: partitions)
        defer { cluster.shutdown() }
        // Small message sets and small fetches, so the queue hovers around a small queued.min.messages.
        let producer = try KafkaProducer(config: KafkaProducerConfig(
            bootstrapServers: cluster.bootstrapServers, lingerMs: 0,
            extra: ["log_level": "3", "batch.num.messages": "50"]))
        let n = 30_000
        let messages = (0..<n).map {
            KafkaOutgoingMessage(topic: "w", partition: Int32($0 % partitions), value: Support.bytes("m\($0)"))
        }
        _ = try await producer.sendAll(messages)
        await producer.close()

        var config = Support.consumerConfig(cluster.bootstrapServers, group: "wake-g")
        config.fetchWakeInterval = .milliseconds(5)
        config.extra["queued.min.messages"] = "500"
        config.maxPartitionFetchBytes = 1_024
        config.fetchMaxBytes = 4_096
        config.extra["message.max.bytes"] = "4096"
        let consumer = try KafkaConsumer(config: config)
        try consumer.subscribe(["w"])
        var got: [KafkaRecord] = []
        let end = ContinuousClock.now + .seconds(300)  // a safety net for a starved machine
        while got.count < n, ContinuousClock.now < end {
            got += try await consumer.poll(maxRecords: 200, timeout: .milliseconds(500))
        }
        let wakes = consumer.fetchWakes
        await consumer.close()
        // The waker's thread holds the client: close waits for it, so the handle does not outlive the close (and
        // the brokers a caller stops next, as `weir demo` does).
        #expect(consumer.fetchWakerReturned, "close returned while the fetch waker's thread still held the client")

        #expect(got.count == n)
        for p in 0..<partitions {
            let offsets = got.filter { $0.partition == Int32(p) }.map(\.offset)
            #expect(offsets == Array(0..<Int64(n / partitions)), "partition \(p): each offset once, in order")
        }
        #expect(Set(got.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }).count == n)
        if LibrdkafkaInfo.hasFetchQueueBackoff {
            #expect(!consumer.hasFetchWaker)
        } else {
            #expect(wakes > 0, "the queue drained below 500 many times while records remained")
        }
    }
}
