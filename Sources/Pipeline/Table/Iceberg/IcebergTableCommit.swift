import Foundation
import Iceberg
import Parquet

/// The Apache Iceberg `TableCommit`: each flush becomes one append snapshot of a format v2 table, and the catalog
/// pointer moves in the same checkpoint-store transaction as the offsets and dedup keys (docs/ICEBERG.md).
///
/// 0. Before its first data file, a writer creates a missing table: a metadata file without snapshots, whose
///    pointer and catalog row are committed in a store transaction of their own (see `LostStoreCheck`).
/// 1. `stage` writes each buffer as a Parquet data file (field ids on every column) directly under the table's
///    `data/<partition>=<value>/` directory, and computes its column statistics. No snapshot references it yet,
///    so no reader sees it.
/// 2. `commit` writes a manifest of the new files, a manifest list (the current snapshot's manifests plus the new
///    one) and the next `NNNNN-<instance>-<uuid>.metadata.json`, then runs the store transaction with the pointer's
///    compare-and-set (`TablePointerUpdate`, mirrored into the SQL catalog's `iceberg_tables` row). A pointer moved
///    by another writer meanwhile re-plans on top of its snapshot (the data files stay) and tries again.
/// 3. `recover` deletes data files no commit recorded, and metadata files no snapshot references, once their
///    writer is dead (`IcebergOrphans`).
///
/// DLQ files (the file sink) and the staging lease are handled by an inner `LakeCommitter`.
public final class IcebergTableCommit: TableCommit, @unchecked Sendable {
    public let layout: LakeLayout
    public let storage: Storage
    public let settings: IcebergTableSettings
    let store: CheckpointStore
    let files: LakeCommitter
    private var namer: FileNamer
    private let writerOptions: ParquetWriterOptions
    private let columns: [LakeColumn]
    private let schema: IcebergSchema
    let planner: SnapshotPlanner
    private let eventTimeIndex: Int
    /// The REST catalog the table lives in; nil: the SQL catalog in the checkpoint store.
    let catalog: RestCatalogClient?
    /// The table's directory as a `Storage` name: `<namespace>.db/<name>` under the lake root (SQL catalog), or
    /// empty: a REST catalog's table is the lake root itself.
    let tablePrefix: String
    /// Data files staged and not yet committed or dropped, by staging path.
    private var staged: [String: DataFile] = [:]
    /// The table as this writer last committed or read it.
    var cached: TableState?
    /// Whether the store holds the table's pointer (this writer created the table or found it).
    private var tableExists = false
    /// Called after each successful catalog commit with the rows it added, how long it took, and how many pointer
    /// conflicts it re-planned after.
    public var onCatalogCommit: (@Sendable (_ rows: Int64, _ seconds: Double, _ conflicts: Int) -> Void)?
    /// Called when a commit gives up after `conflicts` pointer conflicts in a row (another writer kept moving the
    /// table); the commit is refused and its work is read again.
    public var onCatalogCommitRefused: (@Sendable (_ conflicts: Int) -> Void)?
    /// Test-only fault hook: called with a step name (`staged`, `stored`, `cataloged` with a REST catalog,
    /// `published`); it may kill the process.
    public var faultHook: (@Sendable (String) -> Void)? {
        get { files.faultHook }
        set { files.faultHook = newValue }
    }

    public var instance: String { files.instance }

    /// - Parameters:
    ///   - columns: the table's columns (`TableLayout.columns`); on a new table column i gets field id i + 1, on an
    ///     existing one the id of its field of the same name, and a column the table lacks a new id: the next
    ///     commit adds it to the table's schema (docs/ICEBERG.md, "Schema evolution").
    ///   - warehouseURI: the URI of `storage`'s root, e.g. `file:///data/lake` or `s3://bucket/lake`, used in
    ///     metadata paths.
    ///   - catalog: a REST catalog (`lake.iceberg.catalog: rest`): the table is loaded from it, or created with
    ///     `warehouseURI` as its location (its namespace too, when missing); an existing table must be located
    ///     at `warehouseURI`. nil: the SQL catalog in `store`.
    ///   - tableProperties: properties a new table is created with (e.g. `commit.manifest.min-count-to-merge`);
    ///     an existing table keeps its own.
    /// - Throws: `StoreError` when the staging prefix cannot be claimed; `StorageError` when the table's metadata
    ///   file cannot be read; `ConfigError` (key `schema.file`) when a column's type changed in a way Iceberg does
    ///   not allow; `RestCatalogError` when the REST catalog cannot be reached or refuses; `ConfigError` (key
    ///   `lake.out_dir`) when the REST catalog's table lives elsewhere. The columns must hold exactly one
    ///   event-time column (`TableLayout` guarantees it).
    public init(layout: LakeLayout, storage: Storage, store: CheckpointStore, writerOptions: ParquetWriterOptions, columns: [LakeColumn],
                settings: IcebergTableSettings, warehouseURI: String, catalog: RestCatalogClient? = nil,
                instance: String = FileNamer.randomInstanceID(), tableProperties: [String: String] = [:]) throws {
        self.layout = layout
        self.storage = storage
        self.store = store
        self.settings = settings
        self.writerOptions = writerOptions
        self.columns = columns
        files = try LakeCommitter(layout: layout, storage: storage, store: store, writerOptions: writerOptions, instance: instance)
        namer = FileNamer(instance: instance)
        self.catalog = catalog
        guard let timeIndex = columns.firstIndex(where: { $0.source == .eventTime }) else {
            preconditionFailure("a lake table always has an event-time column")
        }
        eventTimeIndex = timeIndex
        let properties = Self.tableProperties.merging(tableProperties) { _, new in new }
        let existing: TableMetadata?
        if let catalog {
            tablePrefix = ""
            let loaded = try Self.restTable(catalog, settings: settings, location: warehouseURI, columns: columns, properties: properties)
            existing = loaded.metadata
        } else {
            tablePrefix = settings.relativeLocation
            existing = try Self.tableMetadata(store: store, storage: storage, settings: settings, warehouseURI: warehouseURI)
        }
        schema = try IcebergSchemaMapping.writerSchema(of: columns, table: existing, tableName: settings.namespace + "." + settings.name)
        planner = SnapshotPlanner(location: catalog == nil ? warehouseURI + "/" + settings.relativeLocation : warehouseURI, schema: schema,
                                  spec: Self.spec(schema: schema, timeIndex: timeIndex, transform: settings.transform), properties: properties)
    }

    /// The properties of a table Weir creates.
    public static let tableProperties = ["write.format.default": "parquet", "weir.writer": "weir"]

    /// The partition spec: the transform of the event-time column, partition field id 1000.
    static func spec(schema: IcebergSchema, timeIndex: Int, transform: PartitionTransform) -> PartitionSpec {
        let source = schema.fields[timeIndex]
        return PartitionSpec(fields: [PartitionField(name: source.name + "_" + transform.rawValue, transform: transform,
                                                     sourceID: source.id, fieldID: 1000)])
    }

    /// The metadata the store's catalog pointer names, nil when the table does not exist yet.
    private static func tableMetadata(store: CheckpointStore, storage: Storage, settings: IcebergTableSettings,
                                      warehouseURI: String) throws -> TableMetadata? {
        guard let location = try store.tablePointer(settings.pointerKey) else { return nil }
        let root = warehouseURI + "/"
        let name = location.hasPrefix(root) ? String(location.dropFirst(root.count)) : location
        guard let bytes = try storage.get(name) else {
            throw StorageError(.notFound, "the Iceberg table \(settings.namespace).\(settings.name) points to \(location), which is missing")
        }
        return try TableMetadata.decode(bytes)
    }

    /// `sub` under the table's directory, as a `Storage` name.
    func tablePath(_ sub: String) -> String { tablePrefix.isEmpty ? sub : tablePrefix + "/" + sub }

    /// - Throws: also `StoreError` when the store holds committed data files of the table but no pointer to its
    ///   metadata (a store restored by `weir checkpoint rebuild`): a new table would hide the committed data.
    ///
    /// Order matters while other writers (a `weir run`, `weir compact`, `weir maintain`) work: files are listed
    /// first, then the writers' liveness is checked, then the store and the table are read. A listed file was
    /// written after its writer claimed its staging prefix, so a writer found dead can no longer commit it, and what
    /// the store and the table say after that check is final for it.
    public func recover() throws -> RecoveryReport {
        cached = nil
        if catalog != nil { files.finishUnpublished = { [unowned self] owner, commits in try self.finishInCatalog(owner: owner, commits: commits) } }
        var report = try files.recover()
        if catalog == nil { try refuseCommittedDataWithoutPointer() }
        report.orphansRemoved += try removeOrphanDataFiles()
        let metadataPrefix = tablePath("metadata")
        let names = try storage.list(metadataPrefix)
        let live = try liveWriters()
        let state = try currentState()
        var orphans = try IcebergOrphans.metadataOrphans(names: names, state: state, liveWriters: live) {
            var listed: Set<String> = []
            for snapshot in state?.metadata.snapshots ?? [] {
                guard let bytes = try storage.get(name(of: snapshot.manifestList)) else { continue }
                listed.formUnion(try ManifestEncoding.readManifestList(bytes).map { IcebergOrphans.lastComponent($0.path) })
            }
            return listed
        }
        // A REST catalog writes the metadata files itself: only Weir's manifests and manifest lists are its to delete.
        if catalog != nil { orphans = orphans.filter { $0.hasSuffix(".avro") } }
        for name in orphans { try storage.delete(metadataPrefix + "/" + name) }
        report.orphansRemoved += orphans.count
        return report
    }

    private func refuseCommittedDataWithoutPointer() throws {
        guard try store.tablePointer(settings.pointerKey) == nil else { return }
        let dataPrefix = tablePath("data")
        for directory in try storage.list(dataPrefix) where try !store.publishedFiles(hivePartition: dataPrefix + "/" + directory).isEmpty {
            let newest = (try storage.list(tablePath("metadata"))).filter { $0.hasSuffix(".metadata.json") }.max() ?? "none"
            throw StoreError(message: "the checkpoint store holds committed data files of the Iceberg table \(settings.namespace).\(settings.name) "
                + "(under \(layout.root)/\(dataPrefix)) but no catalog row for it (a store rebuilt with 'weir checkpoint rebuild' does not "
                + "restore it); a new table would hide those files. Register the newest metadata file (\(newest) in "
                + "\(layout.root)/\(tablePrefix)/metadata) in the catalog, or land into a new lake.out_dir", isRetriable: false)
        }
    }

    /// Before this writer's first data file: creates the table, when the store has no pointer to it yet, with a
    /// metadata file without snapshots whose pointer and catalog row go in a store transaction of their own. So a
    /// table with data files always has its catalog row in the store: an empty store beside such files was lost
    /// (`LostStoreCheck`), while files beside a store that holds the row but not them are orphans of an uncommitted
    /// commit, which `recover` removes. Another writer creating the table first wins; its table is used.
    /// With a REST catalog the table was created in the catalog at startup; nothing to do.
    private func createTableIfMissing() throws {
        guard catalog == nil, !tableExists else { return }
        guard try store.tablePointer(settings.pointerKey) == nil else { tableExists = true; return }
        let (state, bytes) = try planner.creation(fileID: instance + "-" + UUID().uuidString.lowercased(),
                                                  tableUUID: UUID().uuidString.lowercased(), nowMs: Int64(Date().timeIntervalSince1970 * 1000))
        try storage.put(name(of: state.metadataLocation), bytes: bytes)
        var create = CheckpointCommit()
        create.owner = instance
        create.committedAt = Int64(Date().timeIntervalSince1970)
        create.tablePointers = [TablePointerUpdate(
            table: settings.pointerKey, expected: nil, new: state.metadataLocation,
            catalogTable: CatalogTableName(catalogName: settings.catalogName, namespace: settings.namespace, name: settings.name))]
        do {
            _ = try store.commit(create)
            cached = state
        } catch is TablePointerConflict {
            try? storage.delete(name(of: state.metadataLocation))
        }
        tableExists = true
    }

    public func stage(_ buffer: RowBuffer, directory: String, schema _: ParquetSchema) throws -> StagedFile {
        try createTableIfMissing()
        let values = buffer.columnValues()
        guard case .int64(let times) = values[eventTimeIndex], let first = times.first, let micros = first else {
            throw StorageError(.io, "an Iceberg data file needs event times")
        }
        let partition = settings.transform.apply(micros: micros)
        // The run loop buffers by the transform's unit (`lake.iceberg.partition` sets `HivePartitioning`).
        if let other = times.first(where: { $0.map { settings.transform.apply(micros: $0) != partition } ?? true }) {
            throw StorageError(.io, "a buffer for Iceberg partition \(settings.transform.humanString(partition)) holds an event time "
                + "(\(other.map(RFC3339.format(micros:)) ?? "null")) of another partition; buffers must follow the transform's unit")
        }
        let spec = planner.spec.fields[0]
        let relativeDirectory = tablePath("data/" + spec.name) + "=" + settings.transform.humanString(partition)
        let name = relativeDirectory + "/" + namer.next()
        let parquetSchema = ParquetSchema(columns: zip(columns, self.schema.fields).map { $0.descriptor.withFieldID($1.id) })
        let writer = try ParquetFileWriter(sink: StorageParquetSink(try storage.create(name)), schema: parquetSchema, options: writerOptions)
        try writer.write(values)
        let summary = try writer.close()
        var file = DataFile(path: uri(ofName: name), partition: [partition],
                            recordCount: summary.rowCount, fileSizeInBytes: summary.fileBytes)
        DataFileStatistics.fill(&file, columns: values, fields: self.schema.fields)
        let path = layout.root + "/" + name
        staged[path] = file
        return StagedFile(stagingPath: path, finalPath: path, hivePartition: relativeDirectory, rows: summary.rowCount, bytes: summary.fileBytes)
    }

    public func stage(bytes: [UInt8], relativeDirectory: String, prefix: String, ext: String, rows: Int64) throws -> StagedFile {
        try files.stage(bytes: bytes, relativeDirectory: relativeDirectory, prefix: prefix, ext: ext, rows: rows)
    }

    public func commit(_ commit: CheckpointCommit, keepingOnRefusal kept: Set<String>) throws -> Int64 {
        let started = ContinuousClock.now
        let dataFiles = commit.files.compactMap { staged[$0.stagingPath] }
        defer { for f in commit.files { staged[f.stagingPath] = nil } }
        // A flush without rows (only duplicates or dead letters) moves the offsets and adds no empty snapshot.
        guard !dataFiles.isEmpty else { return try files.commit(commit, keepingOnRefusal: kept) }
        for directory in Set(commit.files.filter(\.isInPlace).map(\.hivePartition)) { try storage.sync(directory) }
        if catalog != nil { return try restCommit(commit, dataFiles: dataFiles, keepingOnRefusal: kept, started: started) }
        let snapshotID = Int64.random(in: 1...Int64.max)
        var manifest: (path: String, length: Int64)?
        let attempts = 3
        for attempt in 1...attempts {
            let base = try currentState()
            let plan = try planner.plan(base: base, files: dataFiles, snapshotID: snapshotID, manifest: manifest,
                                        summary: summary(commit, dataFiles), fileID: instance + "-" + UUID().uuidString.lowercased(),
                                        tableUUID: UUID().uuidString.lowercased(), nowMs: Int64(Date().timeIntervalSince1970 * 1000),
                                        readManifest: readManifest)
            var written: [String] = []
            for merged in plan.extraManifests {
                try storage.put(name(of: merged.path), bytes: merged.bytes)
                written.append(name(of: merged.path))
            }
            if manifest == nil {
                try storage.put(name(of: plan.manifestPath), bytes: plan.manifestBytes)
                manifest = (plan.manifestPath, Int64(plan.manifestBytes.count))
            }
            try storage.put(name(of: plan.manifestListPath), bytes: plan.manifestListBytes)
            written.append(name(of: plan.manifestListPath))
            try storage.put(name(of: plan.metadataLocation), bytes: plan.metadataBytes)
            written.append(name(of: plan.metadataLocation))
            var withPointer = commit
            withPointer.tablePointers.append(TablePointerUpdate(
                table: settings.pointerKey, expected: base?.metadataLocation, new: plan.metadataLocation,
                catalogTable: CatalogTableName(catalogName: settings.catalogName, namespace: settings.namespace, name: settings.name)))
            let retry = attempt < attempts
            do {
                let id = try files.commit(withPointer, keepingOnRefusal: retry ? kept.union(commit.files.filter(\.isInPlace).map(\.stagingPath)) : kept)
                cached = TableState(metadataLocation: plan.metadataLocation, metadata: plan.metadata, manifests: plan.manifests)
                onCatalogCommit?(dataFiles.reduce(0) { $0 + $1.recordCount }, (ContinuousClock.now - started).seconds, attempt - 1)
                return id
            } catch let conflict as TablePointerConflict {
                for f in written { try? storage.delete(f) }
                cached = nil
                if !retry {
                    if let manifest { try? storage.delete(name(of: manifest.path)) }
                    onCatalogCommitRefused?(attempts)
                    throw conflict
                }
            } catch {
                for f in written { try? storage.delete(f) }
                if let manifest { try? storage.delete(name(of: manifest.path)) }
                cached = nil
                // A refusal (an offset conflict after a rebalance, a dedup race with another writer, a partition
                // another instance claimed) lands nothing: the data files kept for a pointer retry are deleted
                // too, but for those the caller commits again.
                if error is OffsetConflict || error is DedupRace || error is PartitionOwnedElsewhere {
                    for f in commit.files where f.isInPlace && !kept.contains(f.stagingPath) {
                        try? storage.delete(layout.name(ofPath: f.stagingPath))
                    }
                }
                throw error
            }
        }
        preconditionFailure("the last attempt returns or throws")
    }

    public func close() { files.close() }

    /// The table as the store's pointer says it is now: the cached state when the pointer has not moved, else the
    /// metadata file and its current snapshot's manifest list read back.
    func currentState() throws -> TableState? {
        if catalog != nil { return try restState() }
        guard let location = try store.tablePointer(settings.pointerKey) else { return nil }
        if let cached, cached.metadataLocation == location { return cached }
        guard let bytes = try storage.get(name(of: location)) else {
            throw StorageError(.notFound, "the Iceberg table \(settings.namespace).\(settings.name) points to \(location), which is missing")
        }
        let current = try self.state(location: location, metadata: try TableMetadata.decode(bytes))
        cached = current
        return current
    }

    /// `metadata` (at `location`) with its current snapshot's manifest list read back.
    func state(location: String, metadata: TableMetadata) throws -> TableState {
        var manifests: [ManifestFile] = []
        if let snapshot = metadata.currentSnapshot {
            guard let list = try storage.get(name(of: snapshot.manifestList)) else {
                throw StorageError(.notFound, "the manifest list \(snapshot.manifestList) of table \(settings.namespace).\(settings.name) is missing")
            }
            manifests = try ManifestEncoding.readManifestList(list)
        }
        return TableState(metadataLocation: location, metadata: metadata, manifests: manifests)
    }

    /// The entries of a manifest of the current snapshot, for manifest merging (`ManifestMergePolicy`).
    private func readManifest(_ manifest: ManifestFile) throws -> [ManifestEntry] {
        guard let bytes = try storage.get(name(of: manifest.path)) else {
            throw StorageError(.notFound, "the manifest \(manifest.path) of table \(settings.namespace).\(settings.name) is missing")
        }
        return try ManifestEncoding.readManifest(bytes, listed: manifest, spec: planner.spec)
    }

    /// The snapshot summary keys Weir adds: the Kafka offsets this commit consumed up to (next offsets, per topic
    /// and partition, as JSON) and the event-time watermark (the latest event time it landed, RFC 3339 UTC).
    func summary(_ commit: CheckpointCommit, _ dataFiles: [DataFile]) -> [String: String] {
        var out = ["weir.instance": instance]
        var byTopic: [String: [String: Int64]] = [:]
        for (partition, advance) in commit.offsets { byTopic[partition.topic, default: [:]][String(partition.partition)] = advance.next }
        if let data = try? JSONSerialization.data(withJSONObject: byTopic, options: [.sortedKeys]) {
            out["weir.kafka-offsets"] = String(decoding: data, as: UTF8.self)
        }
        let timeID = schema.fields[eventTimeIndex].id
        if let latest = dataFiles.compactMap({ $0.upperBounds[timeID].flatMap(SingleValue.readLong) }).max() {
            out["weir.event-time-watermark"] = RFC3339.format(micros: latest)
        }
        return out
    }

    /// The warehouse URI with a trailing `/`.
    private var warehouseRoot: String { tablePrefix.isEmpty ? planner.location + "/" : String(planner.location.dropLast(tablePrefix.count)) }

    /// A location under the warehouse as a `Storage` name.
    func name(of location: String) -> String {
        location.hasPrefix(warehouseRoot) ? String(location.dropFirst(warehouseRoot.count)) : location
    }

    /// A `Storage` name as a location URI under the warehouse.
    func uri(ofName name: String) -> String { warehouseRoot + name }

    /// Instances whose staging lease is held (alive), this one included.
    func liveWriters() throws -> Set<String> {
        var live: Set<String> = [instance]
        for entry in try storage.list(layout.stagingPrefix) where !entry.hasPrefix(".") && entry != instance {
            // A writer this process took over stays dead however often it asks (the storage remembers it).
            if try storage.takeOver(layout.stagingPrefix + "/" + entry) == nil { live.insert(entry) }
        }
        return live
    }

    /// Deletes data files under the table's `data/` that no commit recorded and whose writer is not alive (a crash
    /// after staging, before the store transaction). Committed data files are in the store's file manifest, in
    /// the same transaction as the snapshot that references them.
    /// Listing, then liveness, then the store (see `recover`); committed files not yet marked published count as
    /// known too.
    private func removeOrphanDataFiles() throws -> Int {
        var removed = 0
        let dataPrefix = tablePath("data")
        var listed: [(directory: String, file: String)] = []
        for directory in try storage.list(dataPrefix) {
            let relative = dataPrefix + "/" + directory
            listed += try storage.list(relative).filter { $0.hasSuffix(".parquet") }.map { (relative, $0) }
        }
        let live = try liveWriters()
        var known = Set(try store.unpublishedFiles().map(\.file.finalPath))
        for relative in Set(listed.map(\.directory)) { known.formUnion(try store.publishedFiles(hivePartition: relative).map(\.finalPath)) }
        for (relative, file) in listed {
            let path = layout.root + "/" + relative + "/" + file
            guard !known.contains(path), let owner = FileNamer.instance(ofName: file), !live.contains(owner) else { continue }
            try storage.delete(relative + "/" + file)
            removed += 1
        }
        return removed
    }
}
