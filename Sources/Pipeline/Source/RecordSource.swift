/// The result of one poll.
public struct SourcePoll: Sendable {
    public var records: [SourceRecord]
    /// Increments whenever the assignment changed during or since the previous poll.
    public var assignmentGeneration: Int
    /// The partitions assigned now.
    public var assignment: [SourcePartition]
    /// Whether every assigned partition has been read to its end (nothing more to read for now). A source that
    /// cannot tell says false; the run loop then learns it from an empty poll.
    public var drained: Bool

    public init(records: [SourceRecord], assignmentGeneration: Int, assignment: [SourcePartition], drained: Bool = false) {
        self.records = records
        self.assignmentGeneration = assignmentGeneration
        self.assignment = assignment
        self.drained = drained
    }
}

/// The offsets a partition holds: `low` is its first record's offset (older ones were deleted by retention),
/// `high` the offset its next record will get.
public struct OffsetBounds: Sendable, Equatable {
    public let low: Int64
    public let high: Int64

    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }
}

/// What a consumer group has read of one partition: its offsets and the group's committed offset.
public struct GroupProgress: Sendable, Equatable {
    public let bounds: OffsetBounds
    /// The group's committed offset (the next record to read); nil when the group never committed one and a member
    /// would start at the partition's first record (`auto.offset.reset` earliest). With `latest`, a source reports
    /// the high watermark instead of nil: a new member would read nothing of what the partition holds.
    public let committed: Int64?

    public init(bounds: OffsetBounds, committed: Int64?) {
        self.bounds = bounds
        self.committed = committed
    }
}

/// Where records come from: a Kafka consumer group, or generated events in `weir simulate`.
///
/// On assignment, a source must start each partition at the store's offset (`storedOffsets`), so the store,
/// not Kafka's committed offset, decides where consumption resumes; a partition the store has no offset for starts
/// where a new consumer would (`auto.offset.reset`), whatever the group committed (for another lake, say).
public protocol RecordSource: AnyObject, Sendable {
    /// Starts consuming. `storedOffsets` is called with newly assigned partitions and returns the store's
    /// next offsets for them (absent: start at `auto.offset.reset`, not at the group's committed offset).
    func start(storedOffsets: @escaping @Sendable ([SourcePartition]) -> [SourcePartition: Int64]) async throws
    /// Up to `maxRecords`, waiting at most `timeout`.
    func poll(maxRecords: Int, timeout: Duration) async throws -> SourcePoll
    /// Rewinds partitions to offsets (after dropping uncommitted work).
    func seek(_ offsets: [SourcePartition: Int64]) async throws
    /// Commits offsets to the source (Kafka's group offsets, for lag tooling). Called after the store commit.
    func commit(_ offsets: [SourcePartition: Int64]) async throws
    /// Lag in offsets per assigned partition, where known.
    func lag() async -> [SourcePartition: Int64]
    /// The offsets each partition holds now (low and high watermark), where known.
    func offsetBounds(_ partitions: [SourcePartition]) async -> [SourcePartition: OffsetBounds]
    /// Every partition of the source topic, assigned to this member or not, with the group's progress on it; nil
    /// when it cannot be told (a query failed). `--until-idle` uses it to see records no member has read yet, such
    /// as those of a member that died before its partitions were handed over.
    func groupProgress() async -> [SourcePartition: GroupProgress]?
    /// Leaves the group and releases resources.
    func close() async

    /// The id of the cluster the records come from (Kafka's cluster id), nil when the source has none or the
    /// brokers did not say.
    func clusterID() async -> String?
    /// The fingerprints of the records at `offsets`, per partition. A partition whose record cannot be read
    /// (deleted by retention or log compaction, or no answer in time) is absent; nil when the source cannot read
    /// records by offset at all (generated records).
    func fingerprints(at offsets: [SourcePartition: Int64]) async -> [SourcePartition: RecordFingerprint]?

    /// The consumer group's name and its committed offsets (the next record to read) of `partitions`, those without
    /// one absent; nil when the source has no group.
    /// - Throws: `GroupOffsetsUnavailable` (the group, the brokers, the cause) when the group could not be asked.
    func groupCommitted(_ partitions: [SourcePartition]) async throws -> (group: String, offsets: [SourcePartition: Int64])?

    /// The gate that serializes this source's assignment changes with commits (nil: the assignment never changes
    /// while running, as for generated or in-memory sources).
    var assignmentGate: AssignmentGate? { get }
}

extension RecordSource {
    public var assignmentGate: AssignmentGate? { nil }
    public func offsetBounds(_ partitions: [SourcePartition]) async -> [SourcePartition: OffsetBounds] { [:] }
    public func clusterID() async -> String? { nil }
    public func fingerprints(at offsets: [SourcePartition: Int64]) async -> [SourcePartition: RecordFingerprint]? { nil }
    /// A source without a group (generated or in-memory records): every partition is this process's, so no other
    /// member can hold unread records.
    public func groupProgress() async -> [SourcePartition: GroupProgress]? { [:] }
    /// A source without a group has no committed offsets to compare: nil, never throws.
    public func groupCommitted(_ partitions: [SourcePartition]) async throws -> (group: String, offsets: [SourcePartition: Int64])? { nil }
}
