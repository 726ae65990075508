import Foundation
import Iceberg

/// The REST catalog's commit (docs/ICEBERG.md, "The REST catalog"). The catalog pointer cannot move in the
/// store's transaction, so the order is: the data files and the manifest are written (named after the commit's
/// first data file and the snapshot id), then the store transaction records the offsets, dedup keys and files
/// (refusals happen here, before anything is visible), then the snapshot is committed to the catalog, then the
/// files are marked published. A crash between the store transaction and the catalog commit leaves the commit
/// unpublished in the store: recovery finds its manifest by name and commits the same snapshot id to the catalog
/// unless the catalog already has it (`finishInCatalog`), so the events land once and are never lost.
extension IcebergTableCommit {
    /// Catalog commits tried per flush before the run stops (a 409 re-plans on the newer snapshot; an unknown
    /// outcome reloads the table to see whether it applied).
    static let catalogAttempts = 8

    /// Loads the table from `catalog`, creating its namespace and the table (at `location`, with `columns`' schema,
    /// the settings' partition transform and `properties`) when missing.
    /// - Throws: `RestCatalogError`; `ConfigError` (key `lake.out_dir`) when the table is located elsewhere.
    public static func restTable(_ catalog: RestCatalogClient, settings: IcebergTableSettings, location: String, columns: [LakeColumn],
                          properties: [String: String]) throws -> RestCatalogClient.LoadedTable {
        try catalog.connect()
        let namespace = settings.namespace.split(separator: ".").map(String.init)
        let loaded: RestCatalogClient.LoadedTable
        if let existing = try catalog.loadTable(namespace, settings.name) {
            loaded = existing
        } else {
            try catalog.ensureNamespace(namespace)
            let schema = IcebergSchemaMapping.schema(of: columns)
            guard let timeIndex = columns.firstIndex(where: { $0.source == .eventTime }) else {
                preconditionFailure("a lake table always has an event-time column")
            }
            do {
                loaded = try catalog.createTable(namespace, settings.name, location: location, schema: schema,
                                                 spec: spec(schema: schema, timeIndex: timeIndex, transform: settings.transform),
                                                 properties: properties)
            } catch let error as RestCatalogError where error.status == 409 {
                // Another writer created it first.
                guard let existing = try catalog.loadTable(namespace, settings.name) else { throw error }
                loaded = existing
            }
        }
        let have = loaded.metadata.location.hasSuffix("/") ? String(loaded.metadata.location.dropLast()) : loaded.metadata.location
        guard have == location else {
            throw ConfigError(key: "lake.out_dir",
                              message: "the Iceberg table \(settings.namespace).\(settings.name) of the REST catalog \(catalog.uri) is located at "
                                + "\(have), not at the lake \(location); with the rest catalog the lake is the table's location",
                              fix: "set lake.out_dir to \(have), or lake.iceberg.table to a new table")
        }
        return loaded
    }

    /// The table as the catalog has it (cached after this writer's own commits).
    func restState() throws -> TableState {
        if let cached { return cached }
        guard let catalog, let loaded = try catalog.loadTable(namespaceLevels, settings.name) else {
            throw StoreError(message: "the Iceberg table \(settings.namespace).\(settings.name) is gone from the REST catalog "
                + "\(catalog?.uri ?? "?")", isRetriable: false)
        }
        let current = try self.state(location: loaded.metadataLocation, metadata: loaded.metadata)
        cached = current
        return current
    }

    var namespaceLevels: [String] { settings.namespace.split(separator: ".").map(String.init) }

    func restCommit(_ commit: CheckpointCommit, dataFiles: [DataFile], keepingOnRefusal kept: Set<String>,
                    started: ContinuousClock.Instant) throws -> Int64 {
        let snapshotID = Int64.random(in: 1...Int64.max)
        let fileID = Self.commitFileID(dataFiles.map(\.path), snapshotID: snapshotID)
        let plan = try planner.plan(base: try restState(), files: dataFiles, snapshotID: snapshotID, summary: [:], fileID: fileID,
                                    tableUUID: "", nowMs: Int64(Date().timeIntervalSince1970 * 1000))
        let manifest = (path: plan.manifestPath, length: Int64(plan.manifestBytes.count))
        try storage.put(name(of: plan.manifestPath), bytes: plan.manifestBytes)
        var conflicts = 0
        do {
            let id = try files.commit(commit, keepingOnRefusal: kept) { [self] commitID in
                var extra = summary(commit, dataFiles)
                extra["weir.store-commit-id"] = String(commitID)
                conflicts = try commitToCatalog(dataFiles: dataFiles, snapshotID: snapshotID, manifest: manifest, fileID: fileID, summary: extra)
                faultHook?("cataloged")
            }
            onCatalogCommit?(dataFiles.reduce(0) { $0 + $1.recordCount }, (ContinuousClock.now - started).seconds, conflicts)
            return id
        } catch let error as RestCatalogError {
            // After the store transaction: the commit stays unpublished and the next start finishes it.
            throw StoreError(message: "\(error); the batch is recorded in the checkpoint store and the next start commits it to the catalog",
                             isRetriable: false)
        } catch let error as OffsetConflict {
            try? storage.delete(name(of: plan.manifestPath))
            throw error
        } catch let error as DedupRace {
            try? storage.delete(name(of: plan.manifestPath))
            throw error
        } catch let error as PartitionOwnedElsewhere {
            try? storage.delete(name(of: plan.manifestPath))
            throw error
        }
    }

    /// Commits the snapshot `snapshotID` of `dataFiles` (its manifest written) to the catalog, planned on the
    /// table as the catalog has it: a 409 reloads and plans again, an unknown outcome reloads and stops if the
    /// snapshot is there. Returns the number of conflicts.
    /// - Throws: `RestCatalogError` after `catalogAttempts`, or when the catalog refuses otherwise.
    func commitToCatalog(dataFiles: [DataFile], snapshotID: Int64, manifest: (path: String, length: Int64), fileID: String,
                         summary: [String: String]) throws -> Int {
        guard let catalog else { preconditionFailure("a REST commit needs the catalog") }
        var conflicts = 0
        var last = ""
        for attempt in 1...Self.catalogAttempts {
            let base = try restState()
            if base.metadata.snapshots.contains(where: { $0.snapshotID == snapshotID }) { return conflicts }
            let plan = try planner.plan(base: base, files: dataFiles, snapshotID: snapshotID, manifest: manifest, summary: summary,
                                        fileID: fileID + "-\(attempt)", tableUUID: base.metadata.tableUUID,
                                        nowMs: Int64(Date().timeIntervalSince1970 * 1000))
            try storage.put(name(of: plan.manifestListPath), bytes: plan.manifestListBytes)
            switch try catalog.commit(namespaceLevels, settings.name, try RestCommitRequest(base: base.metadata, plan: plan)) {
            case .committed(let table):
                var metadata = table.metadata
                if metadata.currentSnapshotID == -1 { metadata.currentSnapshotID = nil }
                cached = TableState(metadataLocation: table.metadataLocation, metadata: metadata, manifests: plan.manifests)
                return conflicts
            case .conflict(let message):
                try? storage.delete(name(of: plan.manifestListPath))
                conflicts += 1
                last = "409 \(message)"
            case .unknown(let message):
                last = message
                Thread.sleep(forTimeInterval: min(2.0, 0.1 * Double(1 << attempt)))
            }
            cached = nil
        }
        throw RestCatalogError(uri: catalog.uri, operation: "commit snapshot \(snapshotID) to \(settings.namespace).\(settings.name)",
                               status: nil, message: "\(Self.catalogAttempts) attempts failed, the last: \(last)", mayHaveApplied: true)
    }

    /// Recovery: commits to the catalog the snapshots of `owner`'s commits that the store holds but the catalog
    /// lacks (a crash between the store transaction and the catalog commit). Each commit's manifest is found by
    /// its name (`commitFileID`), which carries the snapshot id; a snapshot the catalog has is left as is.
    func finishInCatalog(owner: String, commits: [Int64: [StagedFile]]) throws {
        cached = nil
        let metadataNames = try storage.list(tablePath("metadata"))
        for (commitID, staged) in commits.sorted(by: { $0.key < $1.key }) {
            let data = staged.filter { $0.isInPlace && $0.hivePartition.hasPrefix(tablePath("data")) }
            guard !data.isEmpty else { continue }
            let paths = data.map { uri(ofName: layout.name(ofPath: $0.finalPath)) }
            let stem = Self.manifestStem(paths)
            guard let manifestName = metadataNames.first(where: { $0.hasPrefix(stem + "-s") && $0.hasSuffix("-m0.avro") }),
                  let snapshotID = Int64(manifestName.dropFirst(stem.count + 2).dropLast("-m0.avro".count)),
                  let info = try storage.info(tablePath("metadata/" + manifestName)) else {
                throw StoreError(message: "commit \(commitID) of instance \(owner) is recorded in the checkpoint store but its manifest "
                    + "(\(stem)-s<snapshot id>-m0.avro in \(uri(ofName: tablePath("metadata")))) is missing; it cannot be committed to the catalog",
                                 isRetriable: false)
            }
            let dataFiles = try zip(data, paths).map { f, path in
                DataFile(path: path, partition: [try partitionValue(of: f.hivePartition)], recordCount: f.rows, fileSizeInBytes: f.bytes)
            }
            let summary = ["weir.instance": owner, "weir.store-commit-id": String(commitID), "weir.recovered-by": instance]
            _ = try commitToCatalog(dataFiles: dataFiles, snapshotID: snapshotID, manifest: (uri(ofName: tablePath("metadata/" + manifestName)), info.size),
                                    fileID: Self.commitFileID(paths, snapshotID: snapshotID) + "-r", summary: summary)
        }
    }

    /// The partition value of a data directory `…/data/<field>=<human value>`.
    private func partitionValue(of directory: String) throws -> Int32 {
        let human = directory.split(separator: "=").last.map(String.init) ?? ""
        let parts = human.split(separator: "-").compactMap { Int($0) }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        if parts.count >= 3 { (components.year, components.month, components.day) = (parts[0], parts[1], parts[2]) }
        components.hour = parts.count == 4 ? parts[3] : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard parts.count >= 3, let date = calendar.date(from: components) else {
            throw StoreError(message: "cannot read the partition value of \(directory)", isRetriable: false)
        }
        return settings.transform.apply(micros: Int64(date.timeIntervalSince1970) * 1_000_000)
    }

    /// The stem of the first (sorted) data file's name: unique to the commit, and it carries the writer's instance.
    static func manifestStem(_ paths: [String]) -> String {
        let first = paths.min() ?? ""
        let name = first.split(separator: "/").last.map(String.init) ?? first
        return name.hasSuffix(".parquet") ? String(name.dropLast(".parquet".count)) : name
    }

    /// The file id of a commit's manifest: `<stem>-s<snapshot id>`, so recovery finds it and its snapshot id.
    static func commitFileID(_ paths: [String], snapshotID: Int64) -> String { manifestStem(paths) + "-s\(snapshotID)" }
}
