import Foundation
import Kafka
import Testing
@testable import WeirCLI

/// `weir produce` spreads keyless messages evenly: runs of up to 1,000 per partition, round robin, shorter runs
/// for a small input so that every partition gets a share (issue 16).
@Suite struct ProducePartitioningTests {
    @Test func keylessMessagesAreSpreadEvenlyInRuns() {
        let runs = PartitionRuns(total: 1_000_000, partitions: 7)
        var counts = [Int](repeating: 0, count: 7)
        for i in 0..<1_000_000 { counts[Int(runs.partition(ofMessage: i))] += 1 }
        #expect(counts.max()! - counts.min()! <= PartitionRuns.maxRunLength)
        #expect(runs.partition(ofMessage: 999) == 0)
        #expect(runs.partition(ofMessage: 1_000) == 1)
        #expect(runs.partition(ofMessage: 7_000) == 0)
        #expect(PartitionRuns(total: 10, partitions: 0).partition(ofMessage: 5) == 0, "a bad partition count never divides by zero")
    }

    @Test(arguments: [(100, 4), (999, 2), (3, 8), (1, 3), (5_001, 6)])
    func smallInputsReachEveryPartitionTheyCan(total: Int, partitions: Int) {
        let runs = PartitionRuns(total: total, partitions: partitions)
        var counts = [Int](repeating: 0, count: partitions)
        for i in 0..<total { counts[Int(runs.partition(ofMessage: i))] += 1 }
        let used = counts.filter { $0 > 0 }.count
        #expect(used == min(total, partitions), "\(total) messages over \(partitions) partitions: \(counts)")
        #expect(counts.max()! - counts.min()! <= runs.runLength, "\(counts)")
    }

    /// End to end: `weir produce --file` of 100 lines into a 4-partition topic puts records in every partition.
    @Test(.timeLimit(.minutes(2)))
    func produceFileOfAHundredLinesFillsEveryPartition() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("small", partitions: 4)
        let dir = try RepoPaths.temporaryDirectory("produce-small")
        defer { RepoPaths.remove(dir) }
        let file = dir + "/lines.jsonl"
        try (0..<100).map { "{\"n\":\($0)}\n" }.joined().write(toFile: file, atomically: true, encoding: .utf8)
        let (status, out, err) = try await ChildProcess.run(
            RepoPaths.weir, ["produce", "--bootstrap", cluster.bootstrapServers, "--topic", "small", "--file", file])
        #expect(status == 0, "produce failed: \(out) \(err)")
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers))
        var perPartition: [Int64] = []
        for p in Int32(0)..<4 {
            let (low, high) = try await producer.watermarks(TopicPartition(topic: "small", partition: p), timeout: .seconds(30))
            perPartition.append(high - low)
        }
        await producer.close()
        #expect(perPartition == [25, 25, 25, 25], "records per partition: \(perPartition)")
    }
}
