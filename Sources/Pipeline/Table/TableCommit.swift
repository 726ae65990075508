import Parquet

/// What makes staged files visible to a table's readers, atomically with the checkpoint, and how an interrupted
/// commit is finished or rolled back.
///
/// The run loop stages each Hive-partition buffer (and, with the file DLQ, the DLQ's JSON Lines), then hands one
/// `CheckpointCommit` to `commit`: the implementation records it in the checkpoint store in one transaction and
/// makes the files visible. What "visible" means is the table format's business:
///
/// - plain Hive-partitioned Parquet (`LakeCommitter`): the store transaction lists the files; they are then moved
///   from staging into their `date=` directories; recovery moves committed files that did not make it;
/// - a table format with a catalog (Apache Iceberg): a new snapshot's metadata file is written, and the catalog
///   pointer moves in the same store transaction as the offsets (`CheckpointCommit.tablePointers`); the pointer
///   is the visibility, so recovery only deletes what no snapshot references.
///
/// Implementations write through a `Storage`, so the table format does not depend on where the bytes live.
public protocol TableCommit: AnyObject, Sendable {
    /// Where the table lives (the lake root; `_weir/metrics.txt` is written under it).
    var layout: LakeLayout { get }
    /// This writer's id, recorded as the owner of its staged files.
    var instance: String { get }
    /// Finishes or rolls back the commits of writers that died, and deletes their staged files. Safe while other
    /// live writers run.
    /// - Throws: `StoreError`, `StorageError`, or `LakeRecoveryError` when a committed file is lost.
    func recover() throws -> RecoveryReport
    /// Writes a buffer as one staged Parquet file of the Hive partition `directory` (relative, e.g.
    /// `date=2025-10-30`): durable, not visible.
    func stage(_ buffer: RowBuffer, directory: String, schema: ParquetSchema) throws -> StagedFile
    /// Stages one file per buffer, as `stage(_:directory:schema:)` does; the result is in the order of `buffers`.
    /// An implementation may write the files side by side (object storage: an upload waits on the network).
    /// - Throws: the first failure, after every buffer was attempted (files staged by the others stay in staging,
    ///   where recovery deletes them).
    func stage(_ buffers: [(rows: RowBuffer, directory: String)], schema: ParquetSchema) throws -> [StagedFile]
    /// Stages raw bytes (a DLQ JSON Lines file) to be published under `relativeDirectory` with the next commit.
    func stage(bytes: [UInt8], relativeDirectory: String, prefix: String, ext: String, rows: Int64) throws -> StagedFile
    /// Records `commit` (its staged files, dedup keys, offsets, DLQ marks) in one store transaction and makes the
    /// files visible. Returns the store's commit id.
    /// - Parameter keepingOnRefusal: staging paths that a refusal must not delete (files a retry commits again).
    /// - Throws: `OffsetConflict`, `DedupRace` or `TablePointerConflict` when the store refuses it (the staged
    ///   files are deleted, but for `keepingOnRefusal`); `StoreError` or `StorageError` on I/O failure.
    func commit(_ commit: CheckpointCommit, keepingOnRefusal: Set<String>) throws -> Int64
    /// Releases this writer's staging area at a clean exit.
    func close()
    /// Checks, before a commit sends anything out of the process (its DLQ records to Kafka), that this writer may
    /// still commit: a writer whose staging claim was taken over and fenced (`StagingFence`, object storage) would
    /// have its commit refused, and the DLQ records it sent first would duplicate those of the partitions' new
    /// owner.
    /// - Throws: `StagingLeaseLost` when this writer is fenced; `StoreError` when the store cannot be read.
    func ensureWriterLive() throws
}

extension TableCommit {
    /// Nothing to check: the writer's claim ends only with its process (a local file system's lock).
    public func ensureWriterLive() throws {}

    /// One buffer after the other.
    public func stage(_ buffers: [(rows: RowBuffer, directory: String)], schema: ParquetSchema) throws -> [StagedFile] {
        try buffers.map { try stage($0.rows, directory: $0.directory, schema: schema) }
    }

    /// `commit(_:keepingOnRefusal:)` deleting every staged file on a refusal.
    public func commit(_ commit: CheckpointCommit) throws -> Int64 { try self.commit(commit, keepingOnRefusal: []) }
}
