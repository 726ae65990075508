import Foundation

/// Iceberg format v2 table metadata (table spec, "Table Metadata"), the JSON file a catalog points to.
///
/// Weir writes one schema, one partition spec and the unsorted sort order; each commit appends a snapshot, moves
/// `main` and `current-snapshot-id` to it, and logs the previous metadata file (at most `previousVersionsMax`).
public struct TableMetadata: Codable, Sendable, Equatable {
    public var formatVersion = 2
    public var tableUUID: String
    /// The table's base URI, e.g. `file:///lake/pi2.db/events`.
    public var location: String
    public var lastSequenceNumber: Int64
    public var lastUpdatedMs: Int64
    public var lastColumnID: Int32
    public var schemas: [IcebergSchema]
    public var currentSchemaID: Int32
    public var partitionSpecs: [PartitionSpec]
    public var defaultSpecID: Int32
    public var lastPartitionID: Int32
    public var properties: [String: String]
    public var currentSnapshotID: Int64?
    public var snapshots: [Snapshot]
    public var snapshotLog: [SnapshotLogEntry]
    public var metadataLog: [MetadataLogEntry]
    public var sortOrders: [SortOrder]
    public var defaultSortOrderID: Int32
    public var refs: [String: SnapshotReference]

    /// How many previous metadata files `metadata-log` keeps by default (Iceberg's
    /// `write.metadata.previous-versions-max`, which a table property overrides).
    public static let previousVersionsMax = 100

    /// `write.metadata.previous-versions-max` of this table (at least 1), else `previousVersionsMax`.
    public var previousVersionsKept: Int {
        max(1, properties["write.metadata.previous-versions-max"].flatMap(Int.init) ?? Self.previousVersionsMax)
    }

    /// A new table with no snapshot.
    public init(tableUUID: String, location: String, schema: IcebergSchema, spec: PartitionSpec, properties: [String: String],
                nowMs: Int64) {
        self.tableUUID = tableUUID
        self.location = location
        lastSequenceNumber = 0
        lastUpdatedMs = nowMs
        lastColumnID = schema.lastColumnID
        schemas = [schema]
        currentSchemaID = schema.schemaID
        partitionSpecs = [spec]
        defaultSpecID = spec.specID
        lastPartitionID = spec.lastPartitionID
        self.properties = properties
        currentSnapshotID = nil
        snapshots = []
        snapshotLog = []
        metadataLog = []
        sortOrders = [SortOrder(orderID: 0, fields: [])]
        defaultSortOrderID = 0
        refs = [:]
    }

    public var currentSchema: IcebergSchema? { schemas.first { $0.schemaID == currentSchemaID } }
    public var defaultSpec: PartitionSpec? { partitionSpecs.first { $0.specID == defaultSpecID } }
    public var currentSnapshot: Snapshot? { snapshots.first { $0.snapshotID == currentSnapshotID } }

    /// This metadata with `snapshot` appended and made current; `previousFile` (the metadata file this one
    /// replaces, nil for the first) goes to `metadata-log`.
    public func appending(_ snapshot: Snapshot, previousFile: String?) -> TableMetadata {
        var next = self
        next.snapshots.append(snapshot)
        next.currentSnapshotID = snapshot.snapshotID
        next.lastSequenceNumber = snapshot.sequenceNumber
        next.lastUpdatedMs = snapshot.timestampMs
        next.snapshotLog.append(SnapshotLogEntry(timestampMs: snapshot.timestampMs, snapshotID: snapshot.snapshotID))
        next.refs["main"] = SnapshotReference(snapshotID: snapshot.snapshotID, type: "branch")
        return next.logging(previousFile, at: lastUpdatedMs)
    }

    /// This metadata with `previousFile` (the file it replaces; nil: none) appended to `metadata-log` with the time
    /// it was written, the log cut to the last `previousVersionsKept` entries.
    public func logging(_ previousFile: String?, at timestampMs: Int64) -> TableMetadata {
        guard let previousFile else { return self }
        var next = self
        next.metadataLog.append(MetadataLogEntry(timestampMs: timestampMs, metadataFile: previousFile))
        if next.metadataLog.count > previousVersionsKept { next.metadataLog.removeFirst(next.metadataLog.count - previousVersionsKept) }
        return next
    }

    /// The JSON file's bytes (keys sorted, so equal metadata gives equal files).
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// Parses a metadata file.
    /// - Throws: `DecodingError` when it is not v2 metadata of the shape Weir writes.
    public static func decode(_ bytes: [UInt8]) throws -> TableMetadata {
        try JSONDecoder().decode(TableMetadata.self, from: Data(bytes))
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format-version", tableUUID = "table-uuid", location
        case lastSequenceNumber = "last-sequence-number", lastUpdatedMs = "last-updated-ms", lastColumnID = "last-column-id"
        case schemas, currentSchemaID = "current-schema-id", partitionSpecs = "partition-specs", defaultSpecID = "default-spec-id"
        case lastPartitionID = "last-partition-id", properties, currentSnapshotID = "current-snapshot-id", snapshots
        case snapshotLog = "snapshot-log", metadataLog = "metadata-log", sortOrders = "sort-orders"
        case defaultSortOrderID = "default-sort-order-id", refs
    }
}
