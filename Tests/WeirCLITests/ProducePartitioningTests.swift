import Testing
@testable import WeirCLI

/// `weir produce` spreads keyless messages evenly: runs of 1,000 per partition, round robin.
@Suite struct ProducePartitioningTests {
    @Test func keylessMessagesAreSpreadEvenlyInRuns() {
        var counts = [Int](repeating: 0, count: 7)
        for i in 0..<1_000_000 { counts[Int(ProduceCommand.partition(ofMessage: i, partitions: 7))] += 1 }
        #expect(counts.max()! - counts.min()! <= ProduceCommand.messagesPerPartitionRun)
        #expect(ProduceCommand.partition(ofMessage: 999, partitions: 7) == 0)
        #expect(ProduceCommand.partition(ofMessage: 1_000, partitions: 7) == 1)
        #expect(ProduceCommand.partition(ofMessage: 7_000, partitions: 7) == 0)
        #expect(ProduceCommand.partition(ofMessage: 5, partitions: 0) == 0, "a bad partition count never divides by zero")
    }
}
