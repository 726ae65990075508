/// The table format's side of compaction: which files a partition holds for readers, and how replacing some of
/// them by merged files becomes the table's truth. Compaction asks only this, never the checkpoint store, so a
/// table format decides what a rewrite is:
///
/// - plain Hive-partitioned Parquet (`HiveManifestRewrite`): the store's file manifest, updated in one transaction
///   (`CheckpointStore.replaceFiles`);
/// - a table format with snapshots (Apache Iceberg) would commit a replace snapshot and move its catalog pointer.
public protocol TableRewrite: AnyObject, Sendable {
    /// The final paths (`layout.root + "/" + name`) of the files the table holds as published in `partition`
    /// (relative, e.g. `date=2025-10-30`); only those may be merged.
    /// - Throws: `StoreError`.
    func publishedFiles(partition: String) throws -> Set<String>
    /// Records that the files `removing` (final paths) of `partition` are replaced by `adding` (already visible),
    /// atomically. Repeating it after a crash is harmless: inputs no longer held and merged files already held are
    /// skipped.
    /// - Parameter owner: who wrote the merged files (recorded with them).
    /// - Throws: `StoreError`.
    func replace(partition: String, removing: [String], adding: [StagedFile], owner: String) throws
}

/// `TableRewrite` for plain Hive-partitioned Parquet: the checkpoint store's file manifest.
public final class HiveManifestRewrite: TableRewrite, @unchecked Sendable {
    private let store: CheckpointStore

    public init(store: CheckpointStore) { self.store = store }

    public func publishedFiles(partition: String) throws -> Set<String> {
        Set(try store.publishedFiles(hivePartition: partition).map(\.finalPath))
    }

    public func replace(partition: String, removing: [String], adding: [StagedFile], owner: String) throws {
        let held = try publishedFiles(partition: partition)
        let removing = removing.filter { held.contains($0) }
        let adding = adding.filter { !held.contains($0.finalPath) }
        guard !removing.isEmpty || !adding.isEmpty else { return }
        let commitID = try store.replaceFiles(removing: removing, adding: adding, owner: owner)
        try store.markPublished(commitIDs: [commitID])
    }
}
