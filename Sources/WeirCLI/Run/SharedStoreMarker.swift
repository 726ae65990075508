import Foundation
import Pipeline

/// A lake whose checkpoint store is PostgreSQL (`checkpoint.url`) says so in `_weir/checkpoint-store`, so that a
/// host started without the URL (unset, or a misspelt variable) is refused instead of falling back to a SQLite
/// store of its own: that store would know none of the lake's offsets or keys, read the topic again beside the
/// other hosts and land every event a second time. Written create-only by the first `weir run` with the URL
/// (`record`); read before a SQLite store is opened or rebuilt for the lake (`refuseLocalStore`).
enum SharedStoreMarker {
    static let objectName = "_weir/checkpoint-store"

    /// Records that the lake's store is the PostgreSQL database at `location` (the redacted URL), once.
    /// - Throws: the storage's error (not for a marker already there).
    static func record(_ storage: Storage, location: String) throws {
        guard !storage.exists(objectName) else { return }
        do {
            try storage.put(objectName, bytes: Array("postgres \(location)\n".utf8))
        } catch let error as StorageError where error.kind == .exists {}
    }

    /// - Throws: `ConfigError` naming `checkpoint.url` when the lake records a PostgreSQL store; the storage's error
    ///   when the marker cannot be read.
    static func refuseLocalStore(_ storage: Storage, lakeRoot: String) throws {
        guard let bytes = try storage.get(objectName) else { return }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let location = text.hasPrefix("postgres ") ? String(text.dropFirst("postgres ".count)) : text
        throw ConfigError(
            key: "checkpoint.url",
            message: "is not set, but the lake \(lakeRoot) keeps its checkpoint in PostgreSQL (\(location), recorded in "
                + "\(objectName)); a SQLite store would know none of its offsets and land the topic again",
            fix: "set checkpoint.url (or WEIR_CHECKPOINT_URL) to that database, as on the lake's other hosts")
    }
}
