import Foundation
import Pipeline

/// A lake says which kind of checkpoint store serves it in `_weir/checkpoint-store`: PostgreSQL (`checkpoint.url`),
/// with the redacted URL and the database's own id (`PostgresCheckpointStore.storeID`), or SQLite, with the file's
/// path. Written create-only by the first `weir run` (`record`) and read back by every run after its own attempt to
/// write it (`verifyRecorded`: of two hosts starting together on a new lake, the one whose store lost stops), and
/// read whenever a store is opened for the lake:
/// - a host started without the URL (unset, or a misspelt variable) is refused instead of falling back to a SQLite
///   store of its own (`refuseLocalStore`);
/// - a host whose URL names another database than the recorded one, or a lake that records SQLite, is refused
///   (`refuseOtherStore`).
/// Either store would know none of the lake's offsets or keys, read the topic again beside the other hosts and land
/// every event a second time. `weir checkpoint rebuild --replace-store` moves the lake to a new database (`replace`).
/// A PostgreSQL marker written before store ids were recorded names no id; its database is then not checked. Two
/// SQLite files are not told apart (a lost file is rebuilt in its place; `LostStoreCheck` covers an empty one).
enum SharedStoreMarker {
    static let objectName = "_weir/checkpoint-store"

    /// What the marker says.
    struct Recorded: Equatable {
        /// True for PostgreSQL, false for SQLite.
        let isPostgres: Bool
        /// The redacted URL or the file path of the store the lake recorded.
        let location: String
        /// The store's id; nil in a marker from before ids were recorded.
        let storeID: String?
    }

    /// Records that the lake's store is the PostgreSQL database at `location` (the redacted URL) with id `storeID`,
    /// once.
    /// - Throws: the storage's error (not for a marker already there).
    static func record(_ storage: Storage, location: String, storeID: String) throws {
        try record(storage, bytes: text(location: location, storeID: storeID))
    }

    /// Records that the lake's store is the SQLite file at `path`, once.
    /// - Throws: the storage's error (not for a marker already there).
    static func recordSQLite(_ storage: Storage, path: String) throws {
        try record(storage, bytes: Array("sqlite \(path)\n".utf8))
    }

    private static func record(_ storage: Storage, bytes: [UInt8]) throws {
        guard !storage.exists(objectName) else { return }
        do {
            try storage.putWhole(objectName, bytes: bytes)  // hosts starting together read it meanwhile
        } catch let error as StorageError where error.kind == .exists {}
    }

    /// After `record`: stops this run when the marker (written by whichever host got there first) names another
    /// store than the one it opened: `storeID` nil for SQLite.
    /// - Throws: `ConfigError` naming `checkpoint.url`; the storage's error.
    static func verifyRecorded(_ storage: Storage, lakeRoot: String, location: String, storeID: String?) throws {
        if let storeID {
            try refuseOtherStore(storage, lakeRoot: lakeRoot, location: location, storeID: storeID)
        } else {
            try refuseLocalStore(storage, lakeRoot: lakeRoot)
        }
    }

    /// Makes the lake's recorded store the one at `location` with id `storeID` (`weir checkpoint rebuild
    /// --replace-store`, every instance of the lake stopped).
    /// - Throws: the storage's error.
    static func replace(_ storage: Storage, location: String, storeID: String) throws {
        if storage.exists(objectName) { try storage.delete(objectName) }
        try storage.putWhole(objectName, bytes: text(location: location, storeID: storeID))
    }

    /// The marker, nil when the lake has none or it names no store (an empty file that an earlier version, which
    /// wrote it in place, left when it crashed or that a reader caught while it was being written).
    /// - Throws: the storage's error.
    static func read(_ storage: Storage) throws -> Recorded? {
        guard let bytes = try storage.get(objectName) else { return nil }
        var location: String?, storeID: String?, isPostgres = true
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("postgres ") { location = String(trimmed.dropFirst("postgres ".count)) }
            if trimmed.hasPrefix("sqlite ") { location = String(trimmed.dropFirst("sqlite ".count)); isPostgres = false }
            if trimmed.hasPrefix("store_id ") { storeID = String(trimmed.dropFirst("store_id ".count)) }
        }
        guard let location else { return nil }
        return Recorded(isPostgres: isPostgres, location: location, storeID: storeID)
    }

    /// - Throws: `ConfigError` naming `checkpoint.url` when the lake records a PostgreSQL store; the storage's error
    ///   when the marker cannot be read.
    static func refuseLocalStore(_ storage: Storage, lakeRoot: String) throws {
        guard let recorded = try read(storage), recorded.isPostgres else { return }
        throw ConfigError(
            key: "checkpoint.url",
            message: "is not set, but the lake \(lakeRoot) keeps its checkpoint in PostgreSQL (\(recorded.location), recorded in "
                + "\(objectName)); a SQLite store would know none of its offsets and land the topic again",
            fix: "set checkpoint.url (or WEIR_CHECKPOINT_URL) to that database, as on the lake's other hosts")
    }

    /// - Throws: `ConfigError` naming `checkpoint.url` when the lake records another PostgreSQL store than the one
    ///   at `location` with id `storeID`; the storage's error when the marker cannot be read.
    static func refuseOtherStore(_ storage: Storage, lakeRoot: String, location: String, storeID: String) throws {
        guard let recorded = try read(storage) else { return }
        guard recorded.isPostgres else {
            throw ConfigError(
                key: "checkpoint.url",
                message: "points at \(location), but the lake \(lakeRoot) keeps its checkpoint in SQLite (\(recorded.location), "
                    + "recorded in \(objectName)): two stores for one lake would each resume from their own offsets and land events twice",
                fix: "unset checkpoint.url (and WEIR_CHECKPOINT_URL), as on the lake's other hosts; to move the lake to PostgreSQL, "
                    + "stop every weir process of this lake and run 'weir checkpoint rebuild --replace-store' with checkpoint.url "
                    + "set to an empty database")
        }
        guard let recordedID = recorded.storeID, recordedID != storeID else { return }
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
