/// A snapshot (table spec, "Snapshots"): the table's state after one commit, as the manifest list it points to.
public struct Snapshot: Codable, Sendable, Equatable {
    public var snapshotID: Int64
    public var parentSnapshotID: Int64?
    /// The commit's sequence number; every data file it adds inherits it.
    public var sequenceNumber: Int64
    public var timestampMs: Int64
    /// Full URI of the manifest list.
    public var manifestList: String
    /// `operation` plus counts and Weir's keys (`weir.kafka-offsets`, `weir.event-time-watermark`).
    public var summary: [String: String]
    public var schemaID: Int32

    public init(snapshotID: Int64, parentSnapshotID: Int64?, sequenceNumber: Int64, timestampMs: Int64, manifestList: String,
                summary: [String: String], schemaID: Int32) {
        self.snapshotID = snapshotID
        self.parentSnapshotID = parentSnapshotID
        self.sequenceNumber = sequenceNumber
        self.timestampMs = timestampMs
        self.manifestList = manifestList
        self.summary = summary
        self.schemaID = schemaID
    }

    enum CodingKeys: String, CodingKey {
        case snapshotID = "snapshot-id", parentSnapshotID = "parent-snapshot-id", sequenceNumber = "sequence-number"
        case timestampMs = "timestamp-ms", manifestList = "manifest-list", summary, schemaID = "schema-id"
    }
}

/// An entry of `snapshot-log`: when a snapshot became current.
public struct SnapshotLogEntry: Codable, Sendable, Equatable {
    public var timestampMs: Int64
    public var snapshotID: Int64

    enum CodingKeys: String, CodingKey { case timestampMs = "timestamp-ms", snapshotID = "snapshot-id" }
}

/// An entry of `metadata-log`: a previous metadata file.
public struct MetadataLogEntry: Codable, Sendable, Equatable {
    public var timestampMs: Int64
    public var metadataFile: String

    enum CodingKeys: String, CodingKey { case timestampMs = "timestamp-ms", metadataFile = "metadata-file" }
}

/// A named reference (`refs`); Weir keeps `main` on the current snapshot.
public struct SnapshotReference: Codable, Sendable, Equatable {
    public var snapshotID: Int64
    public var type: String

    enum CodingKeys: String, CodingKey { case snapshotID = "snapshot-id", type }
}

/// A sort order; Weir writes the unsorted order 0.
public struct SortOrder: Codable, Sendable, Equatable {
    public var orderID: Int32
    public var fields: [String]

    enum CodingKeys: String, CodingKey { case orderID = "order-id", fields }
}
