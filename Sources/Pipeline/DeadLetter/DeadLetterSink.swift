/// The result of handing DLQ records to a sink before a commit.
public struct DeadLetterDelivery: Sendable {
    /// Files to publish with the commit (the file sink), empty for Kafka.
    public var stagedFiles: [StagedFile] = []
    /// Where a recovery scan must start in each DLQ partition, recorded with the commit (Kafka sink).
    public var marks: [DeadLetterMark] = []
    /// Records whose envelope was cut to fit the DLQ's record limit (`truncated: true`).
    public var truncated = 0
    /// Records the DLQ topic refused for a lasting reason, written to the file DLQ instead (in `stagedFiles`).
    public var toFile = 0

    public init(stagedFiles: [StagedFile] = [], marks: [DeadLetterMark] = []) {
        self.stagedFiles = stagedFiles
        self.marks = marks
    }
}

/// Where rejected events go. Delivery happens before the commit that covers their offsets, so the offset commit
/// never overtakes a DLQ record that is not yet durable.
public protocol DeadLetterSink: Sendable {
    /// Delivers `records` durably (Kafka: acknowledged by the brokers), or stages them for the commit (files).
    /// A sink that sends records out of the process asks `permit` right before each send.
    /// - Throws: the sink's error, or the permit's (`PartitionOwnedElsewhere`); the commit is then not attempted.
    func deliver(_ records: [DeadLetterRecord], committer: TableCommit, permit: DeliveryPermit) async throws -> DeadLetterDelivery

    /// The longest a record handed to the sink's producer may stay in flight before it is delivered or has failed
    /// (Kafka: the producer's `message.timeout.ms`); nil for a sink that sends nothing out of the process (files),
    /// whose deliveries need no permit. Default nil.
    var deliveryTimeout: Duration? { get }

    /// Source records already in the DLQ because an earlier attempt delivered them and crashed before
    /// committing; they are not sent again. One scan covers every partition: for each source partition, `from`
    /// is its first uncommitted offset and `marks` where its DLQ records may start (the scan of each DLQ partition
    /// starts at the lowest mark).
    func alreadyDelivered(from: [SourcePartition: Int64], marks: [SourcePartition: [DeadLetterMark]]) async throws -> Set<SourceCoordinate>

    /// The DLQ's current high watermarks, recorded once as the lake's genesis marks: no DLQ record of this lake
    /// can be older. Empty for sinks that need no recovery scan.
    func currentMarks() async throws -> [DeadLetterMark]

    /// Flushes and releases the sink's resources at the end of a run.
    func close() async
}

extension DeadLetterSink {
    public var deliveryTimeout: Duration? { nil }
    public func close() async {}
    public func currentMarks() async throws -> [DeadLetterMark] { [] }
}
