/// A data file as a manifest entry describes it (table spec, "Manifests", `data_file`): where it is, its partition
/// value, its size and its column statistics keyed by field id. Bounds are in the spec's single-value binary
/// encoding (`SingleValue`).
public struct DataFile: Sendable, Equatable {
    /// Full URI of the file, e.g. `file:///lake/pi2.db/events/data/ts_day=2025-10-29/part-….parquet`.
    public var path: String
    /// The partition tuple's values in spec order (nil: null).
    public var partition: [Int32?]
    public var recordCount: Int64
    public var fileSizeInBytes: Int64
    public var columnSizes: [Int32: Int64] = [:]
    public var valueCounts: [Int32: Int64] = [:]
    public var nullValueCounts: [Int32: Int64] = [:]
    public var nanValueCounts: [Int32: Int64] = [:]
    public var lowerBounds: [Int32: [UInt8]] = [:]
    public var upperBounds: [Int32: [UInt8]] = [:]

    public init(path: String, partition: [Int32?], recordCount: Int64, fileSizeInBytes: Int64) {
        self.path = path
        self.partition = partition
        self.recordCount = recordCount
        self.fileSizeInBytes = fileSizeInBytes
    }
}
