import Foundation
import ObjectStore
import Pipeline

/// The one place where the maintenance commands turn a lake location into a `Storage`: a local directory
/// (`POSIXStorage`) or an `s3://` prefix (`S3Storage`, opened by `ObjectLake` with `weir run`'s client, credentials
/// and startup check). `compact`, `inspect`, `checkpoint rebuild` and `dlq replay --from-dir` work on either unchanged.
enum LakeStorage {
    /// The storage holding the lake at `layout.root`, rooted there. For an `s3://` lake, `withLock` takes the
    /// PostgreSQL store's advisory locks (`checkpoint.url`), else file locks in `layout.lockDirectory` (beside the
    /// SQLite store, which every instance of the lake shares), so `weir compact`'s `_compaction` lock is exclusive
    /// across hosts.
    /// - Throws: `StartupError` or `ConfigError` from `ObjectLake.open` (bucket, credentials, endpoint).
    static func open(_ layout: LakeLayout, config: WeirConfig) throws -> Storage {
        guard let location = layout.objectLocation else { return layout.posixStorage() }
        if let url = config.checkpointURL {
            let locks = PostgresLakeLocks(location: try PostgresLocation(url: url))
            return try ObjectLake.open(location, config: config, refusals: RefusedWrites(), sharedLocks: locks)
        }
        return try ObjectLake.open(location, config: config, refusals: RefusedWrites(), lockDirectory: layout.lockDirectory)
    }

    /// A file or directory given on the command line (`weir inspect PATH`, `--from-dir`), local or `s3://`: the
    /// storage to read it through, its name there (empty for the storage's root) and the path or URI to show.
    /// An `s3://` location is opened for reading only (`ObjectLake.openForReading`).
    /// - Throws: `StartupError` naming the path when nothing exists there, or the object store's startup error.
    static func locate(_ path: String, config: WeirConfig, what: String, fix: String) throws -> (storage: Storage, name: String, display: String) {
        if S3Location.isObjectStore(path) { return try locateObject(path, config: config, what: what, fix: fix) }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw StartupError(message: "\(what) \(absolute) does not exist", fix: fix)
        }
        if isDirectory.boolValue { return (POSIXStorage(root: absolute, lockDirectory: absolute), "", absolute) }
        let parent = (absolute as NSString).deletingLastPathComponent
        return (POSIXStorage(root: parent, lockDirectory: parent), (absolute as NSString).lastPathComponent, absolute)
    }

    /// `s3://bucket/prefix` as an object (the storage rooted at its parent prefix) or a prefix holding objects
    /// (rooted there).
    private static func locateObject(_ uri: String, config: WeirConfig, what: String, fix: String) throws -> (storage: Storage, name: String, display: String) {
        guard let location = S3Location.parse(uri) else {
            throw StartupError(message: "\(what) \(uri) is not an object-storage location", fix: "write s3://bucket/prefix")
        }
        let storage = try ObjectLake.openForReading(location, config: config)
        do {
            if !location.prefix.isEmpty, try storage.info("") != nil {
                let parent = (location.prefix as NSString).deletingLastPathComponent
                let parentStorage = S3Storage(client: storage.client, location: S3Location(bucket: location.bucket, prefix: parent))
                return (parentStorage, (location.prefix as NSString).lastPathComponent, location.description)
            }
            guard try !storage.list("").isEmpty else {
                throw StartupError(message: "\(what) \(location) does not exist (no object has that key or prefix)", fix: fix)
            }
        } catch let error as StorageError {
            throw StartupError(message: "cannot read \(what) \(location): \(error.message)", fix: fix)
        }
        return (storage, "", location.description)
    }
}
