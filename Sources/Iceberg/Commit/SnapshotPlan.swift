import Foundation

/// Everything one Iceberg append commit writes, planned without I/O: the manifest of the new data files, the
/// manifest list of the new snapshot (the current snapshot's manifests plus the new one), and the new table
/// metadata file. The caller writes the three files and then moves the catalog pointer from `base`'s metadata
/// location to `metadataLocation`, atomically with its checkpoint.
public struct SnapshotPlan: Sendable {
    public let snapshot: Snapshot
    public let metadata: TableMetadata
    /// The manifest list entries of the new snapshot, the new manifest last.
    public let manifests: [ManifestFile]
    public let manifestPath: String
    public let manifestBytes: [UInt8]
    /// Other manifests this commit writes: merged ones (`ManifestMergePolicy`) or, for a replace, the rewritten
    /// manifest of the replaced files' entries. Written before the manifest list; empty bytes never occur.
    public var extraManifests: [WrittenManifest] = []
    public let manifestListPath: String
    public let manifestListBytes: [UInt8]
    public let metadataLocation: String
    public let metadataBytes: [UInt8]
}

/// A manifest file to write: its full URI and bytes.
public struct WrittenManifest: Sendable, Equatable {
    public let path: String
    public let bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// The table as a commit finds it: the metadata file the catalog points to and its current snapshot's manifests.
public struct TableState: Sendable {
    public let metadataLocation: String
    public let metadata: TableMetadata
    public let manifests: [ManifestFile]

    public init(metadataLocation: String, metadata: TableMetadata, manifests: [ManifestFile]) {
        self.metadataLocation = metadataLocation
        self.metadata = metadata
        self.manifests = manifests
    }
}

/// The table's schema changed under a writer so that its data files' field ids no longer match (another writer
/// evolved it differently); the writer must restart to re-read it.
public struct SchemaConflict: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Plans append commits (see `SnapshotPlan`).
public struct SnapshotPlanner: Sendable {
    /// The table a first commit creates: its location URI (e.g. `file:///lake/pi2.db/events`), schema, spec and
    /// properties. `schema` is also the writer's: its field ids are the ones the data files carry; a commit on a
    /// table whose current schema lacks some of its fields makes a new schema current first (`SchemaEvolution`).
    public let location: String
    public let schema: IcebergSchema
    public let spec: PartitionSpec
    public let properties: [String: String]

    public init(location: String, schema: IcebergSchema, spec: PartitionSpec, properties: [String: String] = [:]) {
        self.location = location
        self.schema = schema
        self.spec = spec
        self.properties = properties
    }

    /// The metadata file that creates the table without a snapshot (version 0, `00000-<fileID>.metadata.json`):
    /// committed on its own before the first data file is written, so a store that holds the table's catalog row
    /// is never empty while the table has files (docs/ICEBERG.md, "Recovery").
    /// - Throws: `EncodingError` never in practice.
    public func creation(fileID: String, tableUUID: String, nowMs: Int64) throws -> (state: TableState, bytes: [UInt8]) {
        let metadata = TableMetadata(tableUUID: tableUUID, location: location, schema: schema, spec: spec, properties: properties, nowMs: nowMs)
        let metadataLocation = location + "/metadata/" + Self.pad(0) + "-\(fileID).metadata.json"
        return (TableState(metadataLocation: metadataLocation, metadata: metadata, manifests: []), try metadata.encoded())
    }

    /// Plans the append of `files` on top of `base` (nil: the table does not exist yet and this commit creates it).
    /// - Parameters:
    ///   - snapshotID: the new snapshot's id (random, positive); kept across retries so the manifest can be reused.
    ///   - manifest: a manifest already written for these files by an earlier attempt (its path and length), or nil.
    ///   - summary: extra snapshot summary keys (Kafka offsets, watermark); the spec's counts are added.
    ///   - fileID: a unique id for this attempt's file names (a UUID string).
    ///   - nowMs: the commit time, milliseconds since the epoch.
    ///   - readManifest: reads a manifest's entries; given, the current snapshot's small manifests are merged into
    ///     one when their count exceeds the table's `ManifestMergePolicy` (nil: never merged).
    /// - Throws: `AvroError` when a data file's partition tuple does not fit the spec; `SchemaConflict` when the
    ///   table's schema no longer gives the writer's columns the field ids its data files carry (another writer
    ///   changed it); `SchemaEvolution.IncompatibleTypeChange`; `EncodingError` never in practice.
    public func plan(base: TableState?, files: [DataFile], snapshotID: Int64, manifest reused: (path: String, length: Int64)? = nil,
                     summary extra: [String: String], fileID: String, tableUUID: String, nowMs: Int64,
                     readManifest: ((ManifestFile) throws -> [ManifestEntry])? = nil) throws -> SnapshotPlan {
        var metadata = base?.metadata ?? TableMetadata(tableUUID: tableUUID, location: location, schema: schema, spec: spec,
                                                       properties: properties, nowMs: nowMs)
        if base != nil { metadata = try evolved(metadata) }
        let schema = metadata.currentSchema ?? self.schema
        let sequence = metadata.lastSequenceNumber + 1
        let metadataDir = metadata.location + "/metadata/"
        let manifestPath = reused?.path ?? metadataDir + "\(fileID)-m0.avro"
        let manifestBytes = reused == nil ? try ManifestEncoding.manifest(files, snapshotID: snapshotID, schema: schema, spec: spec) : []
        let newManifest = ManifestFile(
            path: manifestPath, length: reused?.length ?? Int64(manifestBytes.count), specID: spec.specID, sequenceNumber: sequence,
            minSequenceNumber: sequence, addedSnapshotID: snapshotID, addedFilesCount: Int32(files.count),
            addedRowsCount: files.reduce(0) { $0 + $1.recordCount }, partitions: Self.partitionSummaries(files, spec: spec))
        var carried = base?.manifests ?? []
        var merged: [WrittenManifest] = []
        if let readManifest {
            (carried, merged) = try mergedManifests(carried, adding: 1, policy: ManifestMergePolicy(properties: metadata.properties),
                                                    snapshotID: snapshotID, sequenceNumber: sequence, schema: schema,
                                                    pathPrefix: metadataDir + fileID, read: readManifest)
        }
        let manifests = carried + [newManifest]
        let parent = metadata.currentSnapshotID
        let listPath = metadataDir + "snap-\(snapshotID)-\(sequence)-\(fileID).avro"
        let listBytes = try ManifestEncoding.manifestList(manifests, snapshotID: snapshotID, parentSnapshotID: parent, sequenceNumber: sequence)
        let snapshot = Snapshot(snapshotID: snapshotID, parentSnapshotID: parent, sequenceNumber: sequence, timestampMs: nowMs,
                                manifestList: listPath,
                                summary: Self.summary(files, previous: metadata.currentSnapshot?.summary ?? [:]).merging(extra) { a, _ in a },
                                schemaID: metadata.currentSchemaID)
        let next = metadata.appending(snapshot, previousFile: base?.metadataLocation)
        let version = (base.map { Self.version(of: $0.metadataLocation) } ?? -1) + 1
        let metadataLocation = metadataDir + Self.pad(version) + "-\(fileID).metadata.json"
        var plan = SnapshotPlan(snapshot: snapshot, metadata: next, manifests: manifests, manifestPath: manifestPath, manifestBytes: manifestBytes,
                                manifestListPath: listPath, manifestListBytes: listBytes, metadataLocation: metadataLocation,
                                metadataBytes: try next.encoded())
        plan.extraManifests = merged
        return plan
    }

    /// `metadata` with a new current schema when its current one lacks (or narrows) a field of the writer's.
    func evolved(_ metadata: TableMetadata) throws -> TableMetadata {
        guard let current = metadata.currentSchema else { throw SchemaConflict(message: "the table metadata has no current schema") }
        let result = try SchemaEvolution.evolve(current, lastColumnID: metadata.lastColumnID, columns: schema.fields)
        guard result.columnIDs == schema.fields.map(\.id) else {
            throw SchemaConflict(message: "the table's current schema \(current.schemaID) gives the columns field ids "
                + "\(result.columnIDs), the data files carry \(schema.fields.map(\.id))")
        }
        guard result.fields != current.fields else { return metadata }
        var next = metadata
        let added = IcebergSchema(schemaID: (metadata.schemas.map(\.schemaID).max() ?? -1) + 1, fields: result.fields)
        next.schemas.append(added)
        next.currentSchemaID = added.schemaID
        next.lastColumnID = max(metadata.lastColumnID, added.lastColumnID)
        return next
    }

    /// The spec's snapshot summary counts: what this commit added and the table's totals after it.
    static func summary(_ files: [DataFile], previous: [String: String]) -> [String: String] {
        let records = files.reduce(0) { $0 + $1.recordCount }, bytes = files.reduce(0) { $0 + $1.fileSizeInBytes }
        func total(_ key: String, _ added: Int64) -> String { String((Int64(previous[key] ?? "0") ?? 0) + added) }
        return [
            "operation": "append",
            "added-data-files": String(files.count), "added-records": String(records), "added-files-size": String(bytes),
            "changed-partition-count": String(Set(files.map(\.partition)).count),
            "total-data-files": total("total-data-files", Int64(files.count)), "total-records": total("total-records", records),
            "total-files-size": total("total-files-size", bytes), "total-delete-files": "0", "total-position-deletes": "0",
            "total-equality-deletes": "0",
        ]
    }

    /// Per partition field, the range of the files' values (single-value encoded) and whether a null occurs.
    static func partitionSummaries(_ files: [DataFile], spec: PartitionSpec) -> [ManifestFile.FieldSummary] {
        spec.fields.indices.map { i in
            let values = files.map { $0.partition[i] }
            let present = values.compactMap { $0 }
            return ManifestFile.FieldSummary(containsNull: present.count < values.count, lowerBound: present.min().map(SingleValue.int),
                                             upperBound: present.max().map(SingleValue.int))
        }
    }

    /// The version number leading a metadata file name (`00042-….metadata.json` → 42); -1 when there is none.
    public static func version(of location: String) -> Int {
        let name = location.split(separator: "/").last.map(String.init) ?? ""
        return Int(name.prefix { $0.isNumber }) ?? -1
    }

    static func pad(_ n: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, 5 - s.count)) + s }
}
