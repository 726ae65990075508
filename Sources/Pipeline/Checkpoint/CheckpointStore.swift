/// Where consumption of one partition stands before and after a commit.
public struct OffsetAdvance: Sendable, Equatable {
    /// The stored next offset this instance started from (nil: the store had none). The commit is refused if the
    /// store holds anything else by then (compare-and-set), which fences off a second writer of the partition.
    public let expected: Int64?
    /// The next offset to consume after this commit.
    public let next: Int64
    /// The fingerprint of the record at `next - 1` (the last one this commit covers), kept with the offset so a
    /// later start can tell that the partition still holds the same records; nil when unknown.
    public let fingerprint: RecordFingerprint?

    public init(expected: Int64?, next: Int64, fingerprint: RecordFingerprint? = nil) {
        self.expected = expected
        self.next = next
        self.fingerprint = fingerprint
    }
}

/// Where the store says a partition resumes, and what it last consumed there.
public struct StoredPosition: Sendable, Equatable {
    /// The next offset to consume.
    public let next: Int64
    /// The fingerprint of the record at `next - 1`; nil when the store does not know it (written before it kept
    /// fingerprints, or rebuilt from the lake).
    public let fingerprint: RecordFingerprint?

    public init(next: Int64, fingerprint: RecordFingerprint?) {
        self.next = next
        self.fingerprint = fingerprint
    }
}

/// Lake files and dedup keys read back from the lake by `weir checkpoint rebuild`.
public struct LakeRestoreBatch: Sendable {
    /// Published lake files (their staging path is their final path).
    public var files: [StagedFile] = []
    /// Dedup keys with the unix second they were first seen (the row's processing time).
    public var keys: [(key: DedupKey, seenAt: Int64)] = []

    public init() {}
}

/// Everything one commit makes durable, in one transaction.
public struct CheckpointCommit: Sendable {
    public var offsets: [SourcePartition: OffsetAdvance] = [:]
    public var dedupKeys: [DedupKey] = []
    public var files: [StagedFile] = []
    /// Per source partition, where the DLQ must be scanned from if the next batch is interrupted.
    public var deadLetterMarks: [SourcePartition: [DeadLetterMark]] = [:]
    /// Increments of the running totals (`total`, `valid`, `invalid`, `duplicates`) kept for `_weir/metrics.txt`.
    public var totals: [String: Int64] = [:]
    /// The instance that owns the staging files, so recovery only touches files of dead instances.
    public var owner: String = ""
    /// Unix time of the commit, seconds; dedup keys are stamped with it for the TTL.
    public var committedAt: Int64 = 0
    /// Unix seconds before which a stored dedup key has expired (the TTL cut-off): such a key is re-stamped, not
    /// a `DedupRace`. The default treats every stored key as live.
    public var dedupNotBefore: Int64 = .min
    /// Table pointers moved by this commit (a catalog's current-metadata location), each a compare-and-set in the
    /// same transaction as the offsets. Empty for plain Hive Parquet, whose visibility is the files themselves.
    public var tablePointers: [TablePointerUpdate] = []
    /// The owner token whose DLQ delivery permits (`CheckpointStore.permitDeliveries`) on the partitions of
    /// `offsets` end with this commit (whoever owns the partitions now): its deliveries are acknowledged by then,
    /// so the next owner of those partitions need not wait for the permits. Other holders' permits are left
    /// alone. Nil: none end.
    public var endsDeliveriesOf: String?
    /// The owner token that must still own every partition of `offsets` (`claimPartitions`): when another
    /// instance has claimed one since, the commit is refused with `PartitionOwnedElsewhere` and nothing of it is
    /// recorded. A zombie (an instance the group has given up on) cannot then move offsets, or end permits, under
    /// the new owner, which reads the stored offsets and DLQ marks once, after its claim. A partition nobody has
    /// claimed passes. Nil: ownership is not checked (tools that commit outside `weir run`).
    public var ownedBy: String?
    /// The `seenKeys` calls, by their numbers (`CheckpointStore.lookupsStarted`), that found every key of
    /// `dedupKeys` absent: a store that remembers what they read (`KeyLookupLedger`) checks the keys only where
    /// another writer may have stored them since (SQLite: the key runs committed since; PostgreSQL: no other day's
    /// key partition when only its own commits happened since). Empty (the default): unknown (the full check).
    public var keyLookups: Range<Int64> = 0..<0

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

/// The durable checkpoint store: dedup keys with a TTL, consumed offsets, the file manifest, DLQ marks and table
/// pointers.
///
/// The default is `SQLiteCheckpointStore`; the protocol is what a PostgreSQL store (shared by several hosts) would
/// implement. Implementations must make `commit` atomic and durable: its offsets, dedup keys, files, DLQ marks,
/// totals and table pointers are all recorded or none is. They must refuse it with `OffsetConflict` when an
/// `OffsetAdvance.expected` does not match, with `DedupRace` when a live dedup key is already stored, and with
/// `TablePointerConflict` when a `TablePointerUpdate.expected` does not match, and with `PartitionOwnedElsewhere`
/// when a partition of a commit with `CheckpointCommit.ownedBy` was claimed by another owner.
///
/// Partition ownership (the DLQ fence between several instances, docs/POSTGRES.md "Several hosts"): one row per
/// source partition holds its owner token, and the holder and end of the last DLQ delivery permit on it, kept by
/// the store's clock. `claimPartitions` makes an instance the owner, `permitDeliveries` lets only the owner
/// deliver, a commit with `endsDeliveriesOf` and `endDeliveries` end permits before they expire.
public protocol CheckpointStore: Sendable {
    /// Stored next offsets for `partitions` (absent when the store has none).
    func storedOffsets(_ partitions: [SourcePartition]) throws -> [SourcePartition: Int64]
    /// The subset of `keys` already stored and not older than `notBefore` (unix seconds).
    func seenKeys(_ keys: [DedupKey], notBefore: Int64) throws -> Set<DedupKey>
    /// Whether `seenKeys` is better called once per batch of records than once per slice evaluated in parallel,
    /// for small batches (`MicroBatchProcessor.sliceLookupMinimumRecords`; large ones are looked up per slice on
    /// any store): true for a store whose every call is a round trip to a server. Default false. Implementations
    /// must accept concurrent `seenKeys` calls.
    var prefersOneLookupPerBatch: Bool { get }
    /// How many `seenKeys` calls have started on this store: the numbers a commit names in
    /// `CheckpointCommit.keyLookups`. A store that does not number its lookups answers 0 (the default).
    var lookupsStarted: Int64 { get }
    /// Makes a commit durable. Returns its commit id.
    /// - Throws: `OffsetConflict` when another writer moved a partition; `PartitionOwnedElsewhere` when another
    ///   owner claimed a partition of a commit with `ownedBy`; `StoreError` on I/O failure.
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
    /// Running totals for `_weir/metrics.txt`.
    func totals() throws -> [String: Int64]
    /// Sizes and ages.
    func stats() throws -> CheckpointStats
    /// Replaces published lake files by others in one transaction (compaction).
    func replaceFiles(removing: [String], adding: [StagedFile], owner: String) throws -> Int64
    /// Published lake files of a Hive partition (relative dir, e.g. `date=2025-10-30`), as final paths.
    func publishedFiles(hivePartition: String) throws -> [StagedFile]

    /// Stored next offsets with the fingerprint of the last record consumed, for `partitions`.
    func storedPositions(_ partitions: [SourcePartition]) throws -> [SourcePartition: StoredPosition]
    /// Whether the store holds no committed state at all (no offsets, no files, no table pointer such as an Iceberg
    /// table's catalog row): new, or lost and recreated.
    func isEmpty() throws -> Bool
    /// A fact about the store (`source.<topic>.cluster_id`, `rebuilt_at`, …), nil when absent.
    func metaValue(_ name: String) throws -> String?
    /// Records a fact about the store, replacing any previous value.
    func setMetaValue(_ name: String, _ value: String) throws
    /// Adds files and dedup keys read back from the lake (`weir checkpoint rebuild`), in one transaction; a key
    /// already present keeps the later of the two times.
    func restore(_ batch: LakeRestoreBatch) throws
    /// Folds the write-ahead log into the database and truncates it (a clean exit); best effort.
    func checkpointWAL()
    /// The current value of a table pointer (see `TablePointerUpdate`); nil when none was ever committed.
    func tablePointer(_ table: String) throws -> String?

    /// Makes `owner` the owner of every partition of `partitions`, in one transaction, and returns the delivery
    /// permits held by other tokens that had not ended by the store's clock. A permit `owner` holds itself is not
    /// reported. Permits stay recorded (a later claim still sees them) until they end.
    /// - Throws: `StoreError` on I/O failure.
    func claimPartitions(_ partitions: [SourcePartition], owner: String) throws -> PartitionClaim
    /// A DLQ delivery permit: in one transaction, makes `owner` the permit's holder on every partition of
    /// `partitions` until the store's clock plus `window` (a partition nobody claimed yet becomes `owner`'s).
    /// - Throws: `PartitionOwnedElsewhere` for the first partition (in topic, partition order) another owner
    ///   claimed; no permit is changed then. `StoreError` on I/O failure.
    func permitDeliveries(_ partitions: [SourcePartition], owner: String, window: Duration) throws
    /// Ends the delivery permits `owner` holds on `partitions` (nil: on every partition), whoever owns them now: its
    /// deliveries are over (a refused commit after its delivery, a clean exit). Other holders' permits are left
    /// alone.
    /// - Throws: `StoreError` on I/O failure.
    func endDeliveries(_ partitions: [SourcePartition]?, owner: String) throws
}

extension CheckpointStore {
    /// Local stores look up per slice, overlapping the other slices' evaluation: false.
    public var prefersOneLookupPerBatch: Bool { false }
    /// Stores that do not number their lookups: 0.
    public var lookupsStarted: Int64 { 0 }
}
