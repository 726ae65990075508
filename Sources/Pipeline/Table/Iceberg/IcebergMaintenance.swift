import Foundation
import Iceberg

/// Settings of `weir maintain`. nil values take the table's properties, then Iceberg's defaults.
public struct MaintenanceOptions: Sendable {
    /// Snapshots committed longer ago than this may expire (`--older-than`); nil: the table property
    /// `history.expire.max-snapshot-age-ms`, else 5 days (Iceberg's default).
    public var olderThan: Duration?
    /// How many of the most recent snapshots of the current snapshot's ancestry stay whatever their age
    /// (`--retain-last`); nil: `history.expire.min-snapshots-to-keep`, else 1.
    public var retainLast: Int?
    /// Unreferenced files younger than this stay (`--orphan-older-than`, default 3 days, as Iceberg's
    /// `remove_orphan_files`): a commit in flight has written files no metadata references yet.
    public var orphanOlderThan: Duration = .seconds(3 * 86_400)
    /// Report what would be done, change nothing.
    public var dryRun = false

    public init() {}
}

/// What `weir maintain` did (or, with `dryRun`, would do).
public struct MaintenanceReport: Sendable, Equatable, Encodable {
    public var table = ""
    public var snapshotsBefore = 0
    public var snapshotsExpired = 0
    public var manifestListsDeleted = 0
    public var manifestsDeleted = 0
    public var dataFilesDeleted = 0
    public var orphansDeleted = 0
    /// Metadata files older than the oldest one the metadata log keeps (`write.metadata.previous-versions-max`).
    public var oldMetadataFilesDeleted = 0
    public var bytesDeleted: Int64 = 0
    public var dryRun = false
}

/// Snapshot expiry and orphan removal on an Apache Iceberg table (docs/ICEBERG.md, "Maintenance").
///
/// 1. **Expiry** (`SnapshotExpiry`): the metadata without the expired snapshots becomes the next metadata file and
///    the catalog pointer moves to it by the same compare-and-set as `weir run`'s commits (a concurrent commit
///    makes it re-plan, up to 5 times). Only then are the files that only expired snapshots reached deleted — data
///    files, manifests, manifest lists — and the data files leave the store's file manifest. A crash in between
///    leaves unreferenced files that the next run's orphan pass deletes.
/// 2. **Orphans** (`TableOrphanScan`): files under the table's `data/` and `metadata/` that no metadata references,
///    older than `orphanOlderThan`, and metadata files that fell out of `metadata-log`.
///
/// It holds the lake's `_compaction` lock (never beside `weir compact`) and a staging claim of its own.
public final class IcebergMaintenance: @unchecked Sendable {
    public let layout: LakeLayout
    private let table: IcebergTableFiles
    private let now: @Sendable () -> Date
    private let instance = FileNamer.randomInstanceID()

    /// - Parameters:
    ///   - warehouseURI: the URI of `storage`'s root, e.g. `file:///data/lake`.
    ///   - now: the clock (injected by tests).
    public init(layout: LakeLayout, storage: Storage, store: CheckpointStore, settings: IcebergTableSettings, warehouseURI: String,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.layout = layout
        table = IcebergTableFiles(storage: storage, store: store, settings: settings, warehouseURI: warehouseURI)
        self.now = now
    }

    private var storage: Storage { table.storage }

    /// Expires snapshots, then deletes orphan files. A table without a commit yet has nothing to do.
    /// - Throws: `StoreError` when other writers kept moving the pointer (5 conflicts in a row), or the store fails; `StorageError`,
    ///   `AvroError`, `DecodingError` naming the file.
    public func run(_ options: MaintenanceOptions) throws -> MaintenanceReport {
        try storage.withLock("_compaction", exclusive: true) {
            let lease = try storage.claim(layout.stagingPrefix + "/" + instance)
            defer { withExtendedLifetime(lease) {}; try? storage.delete(layout.stagingPrefix + "/" + instance) }
            var report = MaintenanceReport(table: table.tableName, dryRun: options.dryRun)
            guard let base = try table.current() else { return report }
            report.snapshotsBefore = base.metadata.snapshots.count
            try expire(base, options, &report)
            try removeOrphans(options, &report)
            return report
        }
    }

    private func expire(_ first: TableState, _ options: MaintenanceOptions, _ report: inout MaintenanceReport) throws {
        var base = first
        for attempt in 1...5 {
            guard let spec = base.metadata.defaultSpec else { return }
            let nowMs = Int64(now().timeIntervalSince1970 * 1000)
            let props = base.metadata.properties
            let maxAgeMs = options.olderThan.map { Int64($0.components.seconds) * 1000 }
                ?? props["history.expire.max-snapshot-age-ms"].flatMap(Int64.init) ?? 5 * 86_400_000
            let retainLast = options.retainLast ?? props["history.expire.min-snapshots-to-keep"].flatMap(Int.init) ?? 1
            let expiry = SnapshotExpiry(metadata: base.metadata, metadataLocation: base.metadataLocation, nowMs: nowMs,
                                        olderThanMs: nowMs - maxAgeMs, retainLast: retainLast)
            guard !expiry.expired.isEmpty else { return }
            let dead = try expiry.unreachable(kept: expiry.metadata.snapshots, manifestsOf: table.manifests(of:),
                                              entriesOf: { try self.table.entries(of: $0, spec: spec) })
            report.snapshotsExpired = expiry.expired.count
            report.manifestListsDeleted = dead.manifestLists.count
            report.manifestsDeleted = dead.manifests.count
            report.dataFilesDeleted = dead.dataFiles.count
            if options.dryRun { return }
            let location = base.metadata.location + "/metadata/" + String(format: "%05d", SnapshotPlanner.version(of: base.metadataLocation) + 1)
                + "-\(instance)-\(UUID().uuidString.lowercased()).metadata.json"
            try storage.put(table.name(of: location), bytes: try expiry.metadata.encoded())
            do {
                _ = try table.commitPointer(from: base.metadataLocation, to: location, owner: instance)
            } catch is TablePointerConflict where attempt < 5 {
                try? storage.delete(table.name(of: location))
                guard let newer = try table.current() else { return }
                base = newer
                continue
            } catch {
                try? storage.delete(table.name(of: location))
                if error is TablePointerConflict {
                    throw StoreError(message: "the Iceberg table \(table.tableName) kept changing during snapshot expiry (5 commits by other "
                        + "writers); nothing was expired", isRetriable: false, fix: "run weir maintain again")
                }
                throw error
            }
            try deleteDataFiles(dead.dataFiles.map(table.name(of:)), &report)
            for name in (dead.manifests + dead.manifestLists).map(table.name(of:)) {
                report.bytesDeleted += (try storage.info(name)?.size) ?? 0
                try storage.delete(name)
            }
            return
        }
    }

    /// Deletes data files (`Storage` names) and removes those the store's file manifest lists as published.
    private func deleteDataFiles(_ names: [String], _ report: inout MaintenanceReport) throws {
        var byDirectory: [String: [String]] = [:]
        for name in names { byDirectory[(name as NSString).deletingLastPathComponent, default: []].append(name) }
        for (directory, files) in byDirectory {
            let published = Set(try table.store.publishedFiles(hivePartition: directory).map(\.finalPath))
            let removing = files.map { layout.root + "/" + $0 }.filter(published.contains)
            if !removing.isEmpty { _ = try table.store.replaceFiles(removing: removing, adding: [], owner: instance) }
            for name in files {
                report.bytesDeleted += (try storage.info(name)?.size) ?? 0
                try storage.delete(name)
            }
        }
    }

    /// Lists first, then checks which writers are alive, then reads the table (as `IcebergTableCommit.recover`): a
    /// writer found dead can no longer commit a listed file, so the table read afterwards is final for it.
    private func removeOrphans(_ options: MaintenanceOptions, _ report: inout MaintenanceReport) throws {
        var listed: [TableOrphanScan.Listed] = []
        let metadataPrefix = table.tablePrefix + "/metadata", dataPrefix = table.tablePrefix + "/data"
        var files = try storage.list(metadataPrefix).map { metadataPrefix + "/" + $0 }
        for directory in try storage.list(dataPrefix) { files += try storage.list(dataPrefix + "/" + directory).map { dataPrefix + "/" + directory + "/" + $0 } }
        for name in files { if let info = try storage.info(name) { listed.append(.init(name: name, modifiedAt: info.modifiedAt)) } }
        let live = try liveWriters()
        guard let state = try table.current(), let spec = state.metadata.defaultSpec else { return }
        let logged = [state.metadataLocation] + state.metadata.metadataLog.map(\.metadataFile)
        var referenced = Set(logged.map(table.name(of:)))
        for snapshot in state.metadata.snapshots {
            referenced.insert(table.name(of: snapshot.manifestList))
            for m in try table.manifests(of: snapshot) {
                referenced.insert(table.name(of: m.path))
                for e in try table.entries(of: m, spec: spec) where e.isLive { referenced.insert(table.name(of: e.file.path)) }
            }
        }
        let orphans = TableOrphanScan.orphans(
            listed: listed, referenced: referenced, oldestLoggedVersion: logged.map(SnapshotPlanner.version(of:)).min() ?? 0,
            notAfter: Int64(now().timeIntervalSince1970) - Int64(options.orphanOlderThan.components.seconds), liveWriters: live)
        let floor = logged.map(SnapshotPlanner.version(of:)).min() ?? 0
        let history = orphans.filter { $0.hasSuffix(".metadata.json") && SnapshotPlanner.version(of: IcebergOrphans.lastComponent($0)) < floor }
        report.oldMetadataFilesDeleted = history.count
        report.orphansDeleted = orphans.count - history.count
        guard !options.dryRun else { return }
        let data = orphans.filter { $0.hasPrefix(dataPrefix + "/") }
        try deleteDataFiles(data, &report)
        for name in orphans where !name.hasPrefix(dataPrefix + "/") {
            report.bytesDeleted += (try storage.info(name)?.size) ?? 0
            try storage.delete(name)
        }
    }

    /// Instances whose staging claim is held (alive), this one included.
    private func liveWriters() throws -> Set<String> {
        var live: Set<String> = [instance]
        for entry in try storage.list(layout.stagingPrefix) where !entry.hasPrefix(".") && entry != instance {
            if try storage.takeOver(layout.stagingPrefix + "/" + entry) == nil { live.insert(entry) }
        }
        return live
    }
}
