/// A topic-partition of the source, as the store records it.
public struct SourcePartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
    public var description: String { "\(topic)[\(partition)]" }
}

/// Where consumption of one partition stands before and after a commit.
public struct OffsetAdvance: Sendable, Equatable {
    /// The stored next offset this instance started from (nil: the store had none). The commit is refused if the
    /// store holds anything else by then (compare-and-set), which fences off a second writer of the partition.
    public let expected: Int64?
    /// The next offset to consume after this commit.
    public let next: Int64

    public init(expected: Int64?, next: Int64) {
        self.expected = expected
        self.next = next
    }
}

/// A lake file written to staging and not yet visible.
public struct StagedFile: Sendable, Equatable {
    /// Absolute path of the staging file (not visible to lake readers).
    public let stagingPath: String
    /// Absolute path the file takes under the lake root when published.
    public let finalPath: String
    /// The Hive partition directory relative to the lake root, e.g. `date=2025-10-30`.
    public let hivePartition: String
    public let rows: Int64
    public let bytes: Int64

    public init(stagingPath: String, finalPath: String, hivePartition: String, rows: Int64, bytes: Int64) {
        self.stagingPath = stagingPath
        self.finalPath = finalPath
        self.hivePartition = hivePartition
        self.rows = rows
        self.bytes = bytes
    }
}

/// The low-water mark from which a dead-letter partition must be scanned on recovery: any DLQ record at or past
/// it may belong to a batch that was delivered but never committed.
public struct DeadLetterMark: Sendable, Equatable, Hashable {
    public let dlqTopic: String
    public let dlqPartition: Int32
    public let scanFrom: Int64

    public init(dlqTopic: String, dlqPartition: Int32, scanFrom: Int64) {
        self.dlqTopic = dlqTopic
        self.dlqPartition = dlqPartition
        self.scanFrom = scanFrom
    }
}

/// Everything one commit makes durable, in one transaction.
public struct CheckpointCommit: Sendable {
    public var offsets: [SourcePartition: OffsetAdvance] = [:]
    public var dedupKeys: [DedupKey] = []
    public var files: [StagedFile] = []
    /// Per source partition, where the DLQ must be scanned from if the next batch is interrupted.
    public var deadLetterMarks: [SourcePartition: [DeadLetterMark]] = [:]
    /// Increments of the running totals (`total`, `valid`, `invalid`, `duplicates`) kept for `metrics.txt`.
    public var totals: [String: Int64] = [:]
    /// The instance that owns the staging files, so recovery only touches files of dead instances.
    public var owner: String = ""
    /// Unix time of the commit, seconds; dedup keys are stamped with it for the TTL.
    public var committedAt: Int64 = 0
    /// Unix seconds before which a stored dedup key has expired (the TTL cut-off): such a key is re-stamped, not
    /// a `DedupRace`. The default treats every stored key as live.
    public var dedupNotBefore: Int64 = .min

    public init() {}
}

/// A file that was committed but whose rename into the lake may not have happened.
public struct UnpublishedFile: Sendable, Equatable {
    public let commitID: Int64
    public let owner: String
    public let file: StagedFile
}

/// Sizes and ages reported by `weir checkpoint stats`.
public struct CheckpointStats: Sendable, Equatable {
    public let keyCount: Int64
    public let databaseBytes: Int64
    /// Unix seconds of the oldest and newest dedup key, nil when empty.
    public let oldestKeyAt: Int64?
    public let newestKeyAt: Int64?
    public let partitions: [SourcePartition: Int64]
    public let totals: [String: Int64]
}

/// The durable checkpoint store: dedup keys with a TTL, consumed offsets, the file manifest and DLQ marks.
///
/// The default is `SQLiteCheckpointStore`; the protocol is what a PostgreSQL or Redis store would implement.
/// Implementations must make `commit` atomic and durable, and must refuse it with `OffsetConflict` when an
/// `OffsetAdvance.expected` does not match.
public protocol CheckpointStore: Sendable {
    /// Stored next offsets for `partitions` (absent when the store has none).
    func storedOffsets(_ partitions: [SourcePartition]) throws -> [SourcePartition: Int64]
    /// The subset of `keys` already stored and not older than `notBefore` (unix seconds).
    func seenKeys(_ keys: [DedupKey], notBefore: Int64) throws -> Set<DedupKey>
    /// Makes a commit durable. Returns its commit id.
    /// - Throws: `OffsetConflict` when another writer moved a partition; `StoreError` on I/O failure.
    func commit(_ commit: CheckpointCommit) throws -> Int64
    /// Files committed but not yet marked published, for recovery.
    func unpublishedFiles() throws -> [UnpublishedFile]
    /// Marks all files of these commits as published (visible in the lake).
    func markPublished(commitIDs: [Int64]) throws
    /// DLQ scan marks for a source partition.
    func deadLetterMarks(for partition: SourcePartition) throws -> [DeadLetterMark]
    /// Records DLQ scan marks for a source partition outside a commit (the lake's genesis marks), keeping the
    /// lower offset where one is already stored, so concurrent first starts agree on the earliest.
    func recordDeadLetterMarks(_ marks: [DeadLetterMark], for partition: SourcePartition) throws
    /// Deletes dedup keys older than `olderThan` (unix seconds), up to `limit` per call where the layout deletes
    /// key by key (a layout that expires whole runs of keys may remove more at once). Returns how many were
    /// deleted; callers repeat while it returns at least `limit`.
    func pruneKeys(olderThan: Int64, limit: Int) throws -> Int
    /// Running totals for `metrics.txt`.
    func totals() throws -> [String: Int64]
    /// Sizes and ages.
    func stats() throws -> CheckpointStats
    /// Replaces published lake files by others in one transaction (compaction).
    func replaceFiles(removing: [String], adding: [StagedFile], owner: String) throws -> Int64
    /// Published lake files of a Hive partition (relative dir, e.g. `date=2025-10-30`), as final paths.
    func publishedFiles(hivePartition: String) throws -> [StagedFile]
}
