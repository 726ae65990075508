import Foundation

/// Settings of `weir compact`.
public struct CompactionOptions: Sendable {
    /// Merged files are cut near this many bytes (the inputs' on-disk size). Default 128 MiB.
    public var targetBytes: Int64 = 128 << 20
    /// Files at or above this fraction of the target are left alone. Default 0.75.
    public var largeFraction: Double = 0.75
    /// Where next versions are built and retired versions wait for deletion. It must be on the lake's file
    /// system and outside the lake root (DuckDB's `**` enters every directory, dot- and underscore-prefixed
    /// ones included). Default: `<parent of OUT_DIR>/.<basename of OUT_DIR>.weir-work`.
    public var workDirectory: String?
    /// Retired partition versions are deleted after this long (open readers keep working on Linux anyway).
    public var grace: Duration = .seconds(300)
    /// How long the merged inputs' names stay as placeholders after a swap (see `CompactionPlaceholder`). A reader
    /// that lists a partition and then stalls for longer than this before it stats the listed names can miss the
    /// merged inputs silently; a shorter stall makes its read fail loudly instead. Compaction waits this long
    /// before it returns. Default 2 s.
    public var placeholderGrace: Duration = .seconds(2)
    /// Row-group size of merged files.
    public var rowGroupRows: Int = 1_000_000
    /// `created_by` of merged files.
    public var createdBy: String = "weir"
    /// Owner recorded in the store for merged files.
    public var owner: String = "weir-compact"

    public init() {}
}

/// What compaction did to one partition.
public struct PartitionCompaction: Sendable, Equatable {
    public var partition: String
    public var filesBefore = 0
    public var filesAfter = 0
    public var filesMerged = 0
    public var filesWritten = 0
    public var rows: Int64 = 0
    public var bytesBefore: Int64 = 0
    public var bytesAfter: Int64 = 0
    /// Why the partition was left alone, if it was.
    public var skipped: String?

    public init(partition: String) { self.partition = partition }
}

/// A compaction that cannot run or cannot finish; the message names the path and the cause.
public struct CompactionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
