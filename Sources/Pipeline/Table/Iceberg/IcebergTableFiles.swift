import Foundation
import Iceberg

/// An Iceberg table as the maintenance commands see it: its current state read through the store's catalog
/// pointer, its manifest lists and manifests read through `Storage` (each once per instance), and the commit of a
/// maintenance snapshot (a compaction's `replace`, an expiry) by the same compare-and-set on the pointer and the
/// SQL catalog row as `weir run`'s commits (`TablePointerUpdate`), so a concurrent run's commit is never lost: one
/// of the two is refused with `TablePointerConflict` and re-plans on the other's snapshot.
final class IcebergTableFiles {
    let storage: Storage
    let store: CheckpointStore
    let settings: IcebergTableSettings
    /// The URI of `storage`'s root, e.g. `file:///data/lake`.
    let warehouseURI: String
    private var manifestLists: [String: [ManifestFile]] = [:]
    private var manifests: [String: [ManifestEntry]] = [:]

    init(storage: Storage, store: CheckpointStore, settings: IcebergTableSettings, warehouseURI: String) {
        self.storage = storage
        self.store = store
        self.settings = settings
        self.warehouseURI = warehouseURI
    }

    var tableName: String { settings.namespace + "." + settings.name }
    /// The table's prefix in `storage`.
    var tablePrefix: String { settings.relativeLocation }

    /// A location under the warehouse as a `Storage` name.
    func name(of location: String) -> String {
        let root = warehouseURI + "/"
        return location.hasPrefix(root) ? String(location.dropFirst(root.count)) : location
    }

    /// A `Storage` name as a location under the warehouse.
    func location(of name: String) -> String { warehouseURI + "/" + name }

    /// The table as the catalog pointer says it is now; nil when the table has no commit yet.
    /// - Throws: `StorageError.notFound` naming a missing metadata file or manifest list; `DecodingError`, `AvroError`.
    func current() throws -> TableState? {
        guard let location = try store.tablePointer(settings.pointerKey) else { return nil }
        guard let bytes = try storage.get(name(of: location)) else {
            throw StorageError(.notFound, "the Iceberg table \(tableName) points to \(location), which is missing")
        }
        let metadata = try TableMetadata.decode(bytes)
        return TableState(metadataLocation: location, metadata: metadata, manifests: try metadata.currentSnapshot.map(manifests(of:)) ?? [])
    }

    /// The manifest list entries of `snapshot`.
    func manifests(of snapshot: Snapshot) throws -> [ManifestFile] {
        if let cached = manifestLists[snapshot.manifestList] { return cached }
        guard let bytes = try storage.get(name(of: snapshot.manifestList)) else {
            throw StorageError(.notFound, "the manifest list \(snapshot.manifestList) of table \(tableName) is missing")
        }
        let list = try ManifestEncoding.readManifestList(bytes)
        manifestLists[snapshot.manifestList] = list
        return list
    }

    /// The entries of a manifest, inherited values resolved.
    func entries(of manifest: ManifestFile, spec: PartitionSpec) throws -> [ManifestEntry] {
        if let cached = manifests[manifest.path] { return cached }
        guard let bytes = try storage.get(name(of: manifest.path)) else {
            throw StorageError(.notFound, "the manifest \(manifest.path) of table \(tableName) is missing")
        }
        let entries = try ManifestEncoding.readManifest(bytes, listed: manifest, spec: spec)
        manifests[manifest.path] = entries
        return entries
    }

    /// Writes `plan`'s manifests, manifest list and metadata file, then moves the catalog pointer from `base` to
    /// it in one store transaction that also records `files` (the data files the plan adds, owned by `owner`) in
    /// the store's file manifest. On any failure the files it wrote are deleted.
    /// - Returns: the store's commit id.
    /// - Throws: `TablePointerConflict` when another writer moved the pointer first; `StoreError`, `StorageError`.
    func commit(_ plan: SnapshotPlan, base: TableState, files: [StagedFile] = [], owner: String) throws -> Int64 {
        var written: [String] = []
        let id: Int64
        do {
            for m in plan.extraManifests + [WrittenManifest(path: plan.manifestPath, bytes: plan.manifestBytes)] where !m.bytes.isEmpty {
                try storage.put(name(of: m.path), bytes: m.bytes)
                written.append(name(of: m.path))
            }
            try storage.put(name(of: plan.manifestListPath), bytes: plan.manifestListBytes)
            written.append(name(of: plan.manifestListPath))
            try storage.put(name(of: plan.metadataLocation), bytes: plan.metadataBytes)
            written.append(name(of: plan.metadataLocation))
            id = try commitPointer(from: base.metadataLocation, to: plan.metadataLocation, files: files, owner: owner)
        } catch {
            for f in written { try? storage.delete(f) }
            throw error
        }
        // Committed: a failure to mark the files published is finished by the next recovery.
        if !files.isEmpty { try? store.markPublished(commitIDs: [id]) }
        return id
    }

    /// Moves the catalog pointer from `expected` to `new` (a metadata file already written), recording `files`
    /// (committed, not yet marked published).
    func commitPointer(from expected: String, to new: String, files: [StagedFile] = [], owner: String) throws -> Int64 {
        var commit = CheckpointCommit()
        commit.files = files
        commit.owner = owner
        commit.committedAt = Int64(Date().timeIntervalSince1970)
        commit.tablePointers = [TablePointerUpdate(
            table: settings.pointerKey, expected: expected, new: new,
            catalogTable: CatalogTableName(catalogName: settings.catalogName, namespace: settings.namespace, name: settings.name))]
        return try store.commit(commit)
    }
}
