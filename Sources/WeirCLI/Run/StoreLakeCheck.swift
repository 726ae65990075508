import Foundation
import Pipeline

/// A store outside the lake (`checkpoint.url`, or `checkpoint.path` for an `s3://` lake) may be pointed at by a
/// second lake by mistake; that lake would resume the first one's offsets and land nothing, silently. So the lake
/// carries an id (`_weir/lake-id`, written create-only at its first start) and the store records the id of the lake
/// it serves (`lake_id`); a mismatch stops the run. The id, not the path, identifies the lake, so one lake mounted
/// at different paths on several hosts is still one lake.
enum StoreLakeCheck {
    static let objectName = "_weir/lake-id"
    static let metaName = "lake_id"

    /// - Throws: `ConfigError` naming `checkpoint.url` (or `checkpoint.path`) when the store serves another lake;
    ///   `StorageError` or `StoreError` when either cannot be read or written.
    static func verify(storage: Storage, store: CheckpointStore, lakeRoot: String, storeKey: String, storeLocation: String) throws {
        let lakeID = try ensureLakeID(storage)
        guard let recorded = try store.metaValue(metaName) else {
            try store.setMetaValue(metaName, lakeID)
            return
        }
        guard recorded == lakeID else {
            throw ConfigError(
                key: storeKey,
                message: "the checkpoint store \(storeLocation) serves another lake (lake id \(recorded)), not \(lakeRoot) "
                    + "(lake id \(lakeID)); its offsets would make this lake skip every event the other lake landed",
                fix: "give each lake its own store (a PostgreSQL database or schema, or its own checkpoint.path), or point lake.out_dir at the lake this store serves")
        }
    }

    /// The lake's id, created at its first start (create-only: of two instances starting at once, one id wins).
    private static func ensureLakeID(_ storage: Storage) throws -> String {
        if let bytes = try storage.get(objectName) { return String(decoding: bytes, as: UTF8.self) }
        do {
            try storage.putWhole(objectName, bytes: Array(UUID().uuidString.lowercased().utf8))  // read by others at once
        } catch let error as StorageError where error.kind == .exists {}
        guard let bytes = try storage.get(objectName) else {
            throw StorageError(.notFound, "\(objectName) vanished right after it was written")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
