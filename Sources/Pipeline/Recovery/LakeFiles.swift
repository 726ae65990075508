import Foundation

/// The committed files a lake directory holds: Parquet files under its Hive partitions and, with the file DLQ
/// sink, JSON Lines files under `_dlq/`. Staging (`_weir/`), hidden entries and compaction tombstones are not
/// committed files.
public struct LakeFiles: Sendable, Equatable {
    /// Absolute paths of the lake's Parquet files.
    public var parquet: [String] = []
    /// Absolute paths of the file DLQ's JSON Lines files.
    public var deadLetter: [String] = []

    public var isEmpty: Bool { parquet.isEmpty && deadLetter.isEmpty }

    /// Lists the committed files under `layout.root`, sorted; stops after `limit` files when given.
    public static func list(_ layout: LakeLayout, limit: Int? = nil) -> LakeFiles {
        var out = LakeFiles()
        guard let walk = FileManager.default.enumerator(atPath: layout.root) else { return out }
        for case let relative as String in walk {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") || relative == "_weir" {
                walk.skipDescendants()
                continue
            }
            let path = layout.root + "/" + relative
            if relative.hasPrefix("_dlq/") && name.hasSuffix(".jsonl") {
                out.deadLetter.append(path)
            } else if !relative.hasPrefix("_") && name.hasSuffix(".parquet") && !CompactionPlaceholder.isPlaceholder(path) {
                out.parquet.append(path)
            }
            if let limit, out.parquet.count + out.deadLetter.count >= limit { break }
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
/// the topic from the start and land every event a second time.
public enum LostStoreCheck {
    /// - Throws: `ConfigError` (key `lake.out_dir`) when `store` holds nothing committed but the lake holds files.
    public static func verify(layout: LakeLayout, store: CheckpointStore) throws {
        guard try store.isEmpty() else { return }
        let found = LakeFiles.list(layout, limit: 1)
        guard let first = found.parquet.first ?? found.deadLetter.first else { return }
        throw ConfigError(
            key: "lake.out_dir",
            message: "\(layout.root) already holds committed files (such as \(first)) but its checkpoint store "
                + "\(layout.storePath) is empty or missing, so it no longer knows which offsets and events the lake holds. "
                + "Starting would read the topic again from its committed group offsets or its beginning and land those "
                + "events a second time, so Weir stops",
            fix: "run 'weir checkpoint rebuild --out-dir \(layout.root)' (with the same configuration) to restore the "
                + "offsets, the file manifest and the dedup keys from the lake itself, then start again; or point "
                + "lake.out_dir at a new directory to land the topic into a new lake")
    }
}
