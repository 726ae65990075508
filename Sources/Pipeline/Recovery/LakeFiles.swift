import Foundation

/// The committed files a lake directory holds: Parquet files under its Hive partitions and, with the file DLQ
/// sink, JSON Lines files under `_dlq/`. Staging (`_weir/`), hidden entries and compaction placeholders are not
/// committed files.
public struct LakeFiles: Sendable, Equatable {
    /// Absolute paths of the lake's Parquet files.
    public var parquet: [String] = []
    /// Absolute paths of the file DLQ's JSON Lines files.
    public var deadLetter: [String] = []

    public var isEmpty: Bool { parquet.isEmpty && deadLetter.isEmpty }

    /// Lists the committed files under `layout.root` on the local file system (see `list(_:storage:limit:)`).
    public static func list(_ layout: LakeLayout, limit: Int? = nil) throws -> LakeFiles {
        try list(layout, storage: layout.posixStorage(), limit: limit)
    }

    /// Lists the committed files of the lake whose bytes `storage` holds (rooted at the lake root), sorted;
    /// stops after `limit` files when given. Paths are `layout.root + "/" + name`, as the store records them.
    /// - Throws: the storage's error.
    public static func list(_ layout: LakeLayout, storage: Storage, limit: Int? = nil) throws -> LakeFiles {
        var out = LakeFiles()
        let skip: (String) -> Bool = { name in
            name == "_weir" || (name as NSString).lastPathComponent.hasPrefix(".")
        }
        try storage.walk("", descend: { !skip($0) }) { name in
            let last = (name as NSString).lastPathComponent
            guard !last.hasPrefix(".") else { return true }
            if name.hasPrefix("_dlq/") && last.hasSuffix(".jsonl") {
                out.deadLetter.append(layout.root + "/" + name)
            } else if !name.hasPrefix("_") && last.hasSuffix(".parquet") && !CompactionPlaceholder.isPlaceholder(in: storage, name: name) {
                out.parquet.append(layout.root + "/" + name)
            }
            if let limit { return out.parquet.count + out.deadLetter.count < limit }
            return true
        }
        out.parquet.sort()
        out.deadLetter.sort()
        return out
    }

    /// The directory of `path` relative to the lake root, e.g. `date=2025-10-30` or `_dlq/date=2025-10-30`.
    static func relativeDirectory(of path: String, root: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.hasPrefix(root + "/") ? String(dir.dropFirst(root.count + 1)) : dir
    }
}

/// Refuses to run a lake whose checkpoint store was lost: an empty store beside committed files would consume
/// the topic from the start and land every event a second time. An Iceberg table's catalog row is committed in a
/// store transaction of its own before its first data file is written (`IcebergTableCommit`), so a store holding
/// only that row is not empty, and data files beside it are orphans of an uncommitted commit that recovery removes;
/// an empty store beside a table's files is a lost one.
public enum LostStoreCheck {
    /// - Throws: `ConfigError` (key `lake.out_dir`) when `store` holds nothing committed but the lake holds files.
    /// `storeLocation`: the store as messages name it (default: the SQLite file's path).
    public static func verify(layout: LakeLayout, store: CheckpointStore, storeLocation: String? = nil) throws {
        try verify(layout: layout, storage: layout.posixStorage(), store: store, storeLocation: storeLocation)
    }

    /// `verify(layout:store:)` for a lake whose bytes `storage` holds.
    /// - Throws: `ConfigError` as above; the storage's error.
    public static func verify(layout: LakeLayout, storage: Storage, store: CheckpointStore, storeLocation: String? = nil) throws {
        guard try store.isEmpty() else { return }
        let found = try LakeFiles.list(layout, storage: storage, limit: 1)
        guard let first = found.parquet.first ?? found.deadLetter.first else { return }
        throw ConfigError(
            key: "lake.out_dir",
            message: "\(layout.root) already holds committed files (such as \(first)) but its checkpoint store "
                + "\(storeLocation ?? layout.storePath) is empty or missing, so it no longer knows which offsets and events the lake holds. "
                + "Starting would read the topic again from its committed group offsets or its beginning and land those "
                + "events a second time, so Weir stops",
            fix: "if this lake's other hosts keep their checkpoint in PostgreSQL, set checkpoint.url (WEIR_CHECKPOINT_URL) "
                + "as they do; otherwise run 'weir checkpoint rebuild --out-dir \(layout.root)' (with the same configuration) to restore the "
                + "offsets, the file manifest and the dedup keys from the lake itself, then start again; or point "
                + "lake.out_dir at a new directory to land the topic into a new lake")
    }
}
