import Foundation
import Logging
import Pipeline

/// Opens the checkpoint store the configuration names: PostgreSQL when `checkpoint.url` is set (shared by every
/// host of the lake), else the SQLite file in the lake's state directory (the default).
struct CheckpointStoreOpener {
    /// An open store, with what `/readyz` and the size gauge ask of it.
    struct Opened: Sendable {
        let store: CheckpointStore
        /// Whether the store answers now; blocks up to about 2 s (the probe's thread calls it).
        let answers: @Sendable () -> Bool
        /// The store's size on disk in bytes; cheap.
        let databaseBytes: @Sendable () -> Int64
        /// Where the store is, for messages: the file path or the redacted URL.
        let location: String
        /// The PostgreSQL store's own id (`PostgresCheckpointStore.storeID`); nil for SQLite.
        var storeID: String?
    }

    /// - Throws: `ConfigError` naming `checkpoint.url` (the URL redacted) when PostgreSQL cannot be reached, refuses
    ///   the login or the URL is malformed; `StoreError` when the SQLite file cannot be opened.
    ///   `lake` is the lake's storage (default: the local lake's directory): a SQLite store is refused on a lake
    ///   that records a PostgreSQL one (`SharedStoreMarker`), and so is a PostgreSQL store other than the one the
    ///   lake records unless `replacingStore` (`weir checkpoint rebuild --replace-store`), with a `ConfigError`
    ///   naming `checkpoint.url`.
    static func open(config: WeirConfig, layout: LakeLayout, lake: Storage? = nil, logger: Logger? = nil,
                     replacingStore: Bool = false) throws -> Opened {
        guard let url = config.checkpointURL else {
            try SharedStoreMarker.refuseLocalStore(lake ?? layout.posixStorage(), lakeRoot: layout.root)
            let store = try SQLiteCheckpointStore(path: layout.storePath)
            return Opened(store: store, answers: { store.answers(timeoutMs: 500) }, databaseBytes: { store.databaseBytes() },
                          location: layout.storePath)
        }
        let store: PostgresCheckpointStore
        do {
            store = try PostgresCheckpointStore(url: url, startupTimeout: config.checkpointConnectTimeout, logger: logger)
        } catch let error as StoreError {
            throw ConfigError(key: "checkpoint.url", message: error.message,
                              fix: error.fix ?? "check the server and the URL (postgres://user@host:port/database)")
        }
        if !replacingStore {
            try SharedStoreMarker.refuseOtherStore(lake ?? layout.posixStorage(), lakeRoot: layout.root,
                                                   location: store.location.redacted, storeID: store.storeID)
        }
        _ = store.answers()  // a first size for the gauge
        return Opened(store: store, answers: { store.answers() }, databaseBytes: { store.databaseBytes() },
                      location: store.location.redacted, storeID: store.storeID)
    }
}
