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

    /// Whether the file was written at its final path (an Iceberg data file: a snapshot, not a rename, makes it
    /// visible), so publishing moves nothing.
    public var isInPlace: Bool { stagingPath == finalPath }
}
