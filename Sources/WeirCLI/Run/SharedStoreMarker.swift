import Foundation
import Pipeline

/// A lake whose checkpoint store is PostgreSQL (`checkpoint.url`) says so in `_weir/checkpoint-store`: the redacted
/// URL and the store's own id (`PostgresCheckpointStore.storeID`). Written create-only by the first `weir run` with
/// the URL (`record`), and read whenever a store is opened for the lake:
/// - a host started without the URL (unset, or a misspelt variable) is refused instead of falling back to a SQLite
///   store of its own (`refuseLocalStore`);
/// - a host whose URL names another database is refused (`refuseOtherStore`).
/// Either store would know none of the lake's offsets or keys, read the topic again beside the other hosts and land
/// every event a second time. `weir checkpoint rebuild --replace-store` moves the lake to a new database (`replace`).
/// A marker written before store ids were recorded names no id; its database is then not checked.
enum SharedStoreMarker {
    static let objectName = "_weir/checkpoint-store"

    /// What the marker says.
    struct Recorded: Equatable {
        /// The redacted URL of the store the lake recorded.
        let location: String
        /// The store's id; nil in a marker from before ids were recorded.
        let storeID: String?
    }

    /// Records that the lake's store is the PostgreSQL database at `location` (the redacted URL) with id `storeID`,
    /// once.
    /// - Throws: the storage's error (not for a marker already there).
    static func record(_ storage: Storage, location: String, storeID: String) throws {
        guard !storage.exists(objectName) else { return }
        do {
            try storage.put(objectName, bytes: text(location: location, storeID: storeID))
        } catch let error as StorageError where error.kind == .exists {}
    }

    /// Makes the lake's recorded store the one at `location` with id `storeID` (`weir checkpoint rebuild
    /// --replace-store`, every instance of the lake stopped).
    /// - Throws: the storage's error.
    static func replace(_ storage: Storage, location: String, storeID: String) throws {
        if storage.exists(objectName) { try storage.delete(objectName) }
        try storage.put(objectName, bytes: text(location: location, storeID: storeID))
    }

    /// The marker, nil when the lake has none.
    /// - Throws: the storage's error.
    static func read(_ storage: Storage) throws -> Recorded? {
        guard let bytes = try storage.get(objectName) else { return nil }
        var location = "", storeID: String?
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("postgres ") { location = String(trimmed.dropFirst("postgres ".count)) }
            if trimmed.hasPrefix("store_id ") { storeID = String(trimmed.dropFirst("store_id ".count)) }
        }
        return Recorded(location: location, storeID: storeID)
    }

    /// - Throws: `ConfigError` naming `checkpoint.url` when the lake records a PostgreSQL store; the storage's error
    ///   when the marker cannot be read.
    static func refuseLocalStore(_ storage: Storage, lakeRoot: String) throws {
        guard let recorded = try read(storage) else { return }
        throw ConfigError(
            key: "checkpoint.url",
            message: "is not set, but the lake \(lakeRoot) keeps its checkpoint in PostgreSQL (\(recorded.location), recorded in "
                + "\(objectName)); a SQLite store would know none of its offsets and land the topic again",
            fix: "set checkpoint.url (or WEIR_CHECKPOINT_URL) to that database, as on the lake's other hosts")
    }

    /// - Throws: `ConfigError` naming `checkpoint.url` when the lake records another PostgreSQL store than the one
    ///   at `location` with id `storeID`; the storage's error when the marker cannot be read.
    static func refuseOtherStore(_ storage: Storage, lakeRoot: String, location: String, storeID: String) throws {
        guard let recorded = try read(storage), let recordedID = recorded.storeID, recordedID != storeID else { return }
        throw ConfigError(
            key: "checkpoint.url",
            message: "points at \(location) (store id \(storeID)), but the lake \(lakeRoot) keeps its checkpoint in "
                + "\(recorded.location) (store id \(recordedID), recorded in \(objectName)): two stores for one lake would "
                + "each resume from their own offsets and land events twice",
            fix: "set checkpoint.url (or WEIR_CHECKPOINT_URL) to the lake's store, as on its other hosts; if that "
                + "database is lost for good, stop every weir process of this lake and run 'weir checkpoint rebuild "
                + "--replace-store' against the new one")
    }

    private static func text(location: String, storeID: String) -> [UInt8] {
        Array("postgres \(location)\nstore_id \(storeID)\n".utf8)
    }
}
