import Foundation
import Testing
@testable import Kafka

@Suite("Cooperative rebalancing")
struct CooperativeTests {
    @Test("cooperative-sticky: two members split incrementally, startOffsets applies, every record past the start offsets is read")
    func cooperativeSplit() async throws {
        let cluster = try Support.cluster(topic: "coop", partitions: 4)
        defer { cluster.shutdown() }
        let bootstrap = cluster.bootstrapServers
        let producer = try Support.producer(bootstrap)
        _ = try await producer.sendAll((0..<400).map {
            KafkaOutgoingMessage(topic: "coop", partition: Int32($0 % 4), value: Support.bytes("v\($0)"))
        })
        await producer.close()
        var config = Support.consumerConfig(bootstrap, group: "coop-g")
        config.extra["partition.assignment.strategy"] = "cooperative-sticky"
        let events = Locked<[RebalanceEvent]>([])
        // Start every partition at offset 50: offsets 0..<50 must never be delivered.
        let start: @Sendable ([TopicPartition]) -> [TopicPartition: Int64] = { tps in
            Dictionary(uniqueKeysWithValues: tps.map { ($0, 50) })
        }
        let a = try KafkaConsumer(config: config, startOffsets: start, onRebalance: { e in events.withLock { $0.append(e) } })
        let b = try KafkaConsumer(config: config, startOffsets: start)
        try a.subscribe(["coop"]); try b.subscribe(["coop"])
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(40)
        var got: [KafkaRecord] = []
        while clock.now < deadline {
            async let ra = a.poll(maxRecords: 1000, timeout: .milliseconds(300))
            async let rb = b.poll(maxRecords: 1000, timeout: .milliseconds(300))
            got += try await ra + rb
            let ca = (try? a.assignment().count) ?? 0, cb = (try? b.assignment().count) ?? 0
            if ca > 0, cb > 0, ca + cb == 4, Set(got.map { "\($0.partition):\($0.offset)" }).count == 200 { break }
        }
        let ca = try a.assignment(), cb = try b.assignment()
        #expect(!ca.isEmpty && !cb.isEmpty && ca.count + cb.count == 4 && Set(ca).isDisjoint(with: cb))
        #expect(got.allSatisfy { $0.offset >= 50 })
        #expect(Set(got.map { "\($0.partition):\($0.offset)" }) == Set((0..<4).flatMap { p in (50..<100).map { "\(p):\($0)" } }))
        #expect(events.withLock { $0 }.contains { if case .assigned = $0 { true } else { false } })
        await a.close()
        await b.close()
    }
}
