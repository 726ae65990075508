/// Which partition `weir produce` sends each keyless message to: runs of consecutive messages per partition,
/// round robin.
///
/// librdkafka's sticky partitioner sends each ~10 ms of keyless messages to one random partition: one of 20
/// partitions got 151,926 of 1,000,000 records (3x its share), past the embedded broker's retention cap. Runs keep
/// batches as large as the sticky partitioner's and spread the messages evenly. A run is at most
/// `maxRunLength` messages, and shorter when the input is small, so that every partition gets a share: 100 lines
/// over 4 partitions go 25 to each.
struct PartitionRuns: Sendable, Equatable {
    /// The longest run of consecutive messages sent to one partition.
    static let maxRunLength = 1_000

    /// Messages per run: `ceil(total / partitions)` capped at `maxRunLength`, at least 1.
    let runLength: Int
    /// Partitions of the topic (at least 1).
    let partitions: Int

    /// - Parameters:
    ///   - total: messages to be sent.
    ///   - partitions: partitions of the topic; a count below 1 is treated as 1.
    init(total: Int, partitions: Int) {
        self.partitions = max(1, partitions)
        let share = (max(0, total) + self.partitions - 1) / self.partitions
        runLength = max(1, min(Self.maxRunLength, share))
    }

    /// The partition of the `index`-th message (0-based).
    func partition(ofMessage index: Int) -> Int32 {
        Int32((index / runLength) % partitions)
    }
}
