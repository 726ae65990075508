/// The result of handing DLQ records to a sink before a commit.
public struct DeadLetterDelivery: Sendable {
    /// Files to publish with the commit (the file sink), empty for Kafka.
    public var stagedFiles: [StagedFile] = []
    /// Where a recovery scan must start in each DLQ partition, recorded with the commit (Kafka sink).
    public var marks: [DeadLetterMark] = []

    public init(stagedFiles: [StagedFile] = [], marks: [DeadLetterMark] = []) {
        self.stagedFiles = stagedFiles
        self.marks = marks
    }
}

/// Where rejected events go. Delivery happens before the commit that covers their offsets, so the offset commit
/// never overtakes a DLQ record that is not yet durable.
public protocol DeadLetterSink: Sendable {
    /// Delivers `records` durably (Kafka: acknowledged by the brokers), or stages them for the commit (files).
    /// - Throws: the sink's error; the commit is then not attempted.
    func deliver(_ records: [DeadLetterRecord], committer: LakeCommitter) async throws -> DeadLetterDelivery

    /// Source records of `partition` at or past `fromOffset` that are already in the DLQ because an earlier
    /// attempt delivered them and crashed before committing. They are not sent again.
    func alreadyDelivered(partition: SourcePartition, fromOffset: Int64, marks: [DeadLetterMark]) async throws -> Set<SourceCoordinate>

    /// Flushes and releases the sink's resources at the end of a run.
    func close() async
}

extension DeadLetterSink {
    public func close() async {}
}
