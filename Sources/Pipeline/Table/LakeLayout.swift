import Foundation

/// Where things live under the lake root (`OUT_DIR`).
///
/// ```
/// OUT_DIR/
///   date=YYYY-MM-DD/part-….parquet     visible lake files (Hive partitions; optional /hour=HH)
///   _dlq/date=YYYY-MM-DD/dlq-….jsonl   dead-letter files when there is no Kafka DLQ topic
///   _weir/checkpoint.sqlite            the checkpoint store
///   _weir/checkpoint.keys/             its dedup key runs
///   _weir/staging/<instance>/          files being written; never matched by `**/*.parquet`
///   _weir/metrics.txt                  running totals, rewritten atomically at each commit
/// ```
///
/// Everything but the lake files is under a `_` folder, which readers skip by convention (pyarrow, pandas,
/// Spark, Hive), so the root opens as a dataset with default options.
///
/// The root may also be an object-storage location, `s3://bucket/prefix`: the lake files, `_dlq/` and
/// `_weir/staging/` are then objects below it (through `S3Storage`), while the checkpoint store, its key runs and
/// `metrics.txt` stay on a file system, in the directory of `storePath` (a SQLite database cannot live in a
/// bucket). `checkpointPath` gives the store's path for either kind of root. With a PostgreSQL store an `s3://`
/// root needs no store file: `localStateDirectory` (a temporary directory) then holds only `metrics.txt`.
public struct LakeLayout: Sendable {
    public let root: String
    /// The local state directory: `root/_weir` for a local root (the store, unless `checkpointPath` moves it,
    /// staging, locks, `metrics.txt`); for an `s3://` root the directory of `storePath` (`metrics.txt`, locks).
    public let stateDirectory: String
    /// The checkpoint store's SQLite file.
    public let storePath: String

    /// - Parameters:
    ///   - root: the lake root; a local path is made absolute against the current directory; `s3://bucket/prefix`
    ///     is kept as given (without a trailing `/`).
    ///   - checkpointPath: the checkpoint store's file; default `root/_weir/checkpoint.sqlite` for a local root.
    ///     Required in practice for an `s3://` root (without it the store would be looked for in a local
    ///     directory named after the URI; configuration loading rejects that, see `checkpoint.path`), unless
    ///   - localStateDirectory: for an `s3://` root whose store is not a file (PostgreSQL, `checkpoint.url`), the
    ///     local directory for `metrics.txt` (e.g. one under the temporary directory): nothing a commit depends on
    ///     lives there. Ignored for a local root and when `checkpointPath` is given.
    public init(root: String, checkpointPath: String? = nil, localStateDirectory: String? = nil) {
        if S3Location.isObjectStore(root) {
            self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        } else {
            self.root = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL.path
        }
        if let checkpointPath {
            storePath = URL(fileURLWithPath: checkpointPath).standardizedFileURL.path
            stateDirectory = S3Location.isObjectStore(root) ? (storePath as NSString).deletingLastPathComponent : self.root + "/_weir"
        } else if S3Location.isObjectStore(root), let localStateDirectory {
            stateDirectory = URL(fileURLWithPath: localStateDirectory).standardizedFileURL.path
            storePath = stateDirectory + "/checkpoint.sqlite"
        } else {
            stateDirectory = self.root + "/_weir"
            storePath = stateDirectory + "/checkpoint.sqlite"
        }
    }

    /// Whether the lake lives in object storage (`s3://`).
    public var isObjectStore: Bool { S3Location.isObjectStore(root) }
    /// The object-storage location, when the lake lives in one.
    public var objectLocation: S3Location? { S3Location.parse(root) }
    public var stagingRoot: String { root + "/_weir/staging" }
    public var deadLetterDirectory: String { root + "/_dlq" }
    public var metricsFile: String { stateDirectory + "/metrics.txt" }
    /// Where `metrics.txt` was before it moved under `_weir/` (it made pyarrow and pandas fail on the root).
    var legacyMetricsFile: String { root + "/metrics.txt" }
    /// Where the partition locks live (`PartitionLock`).
    public var lockDirectory: String { stateDirectory + "/locks" }
    /// The staging root relative to the lake root, as a `Storage` name.
    public var stagingPrefix: String { "_weir/staging" }

    /// The staging directory of one instance.
    public func stagingDirectory(instance: String) -> String { stagingRoot + "/" + instance }

    /// `path` (absolute, below the root) as a `Storage` name relative to the root.
    public func name(ofPath path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// The lake's file system as `Storage`: rooted at the lake root, with the partition locks in `_weir/locks/`.
    public func posixStorage() -> POSIXStorage { POSIXStorage(root: root, lockDirectory: lockDirectory) }

    /// Creates the lake root, the state directory and the staging root, and removes a `metrics.txt` that an
    /// older Weir left at the root (the next commit writes it under `_weir/`). For an object-storage root, only
    /// the local state directory (object storage has no directories).
    /// - Throws: the file system's error, e.g. when `OUT_DIR` is not writable; `ConfigError` naming
    ///   `checkpoint.path` for an object-storage root given without one.
    public func createDirectories() throws {
        if isObjectStore {
            guard !S3Location.isObjectStore(stateDirectory) else {
                throw ConfigError(key: "checkpoint.path", message: "the lake \(root) is in object storage and has no local state directory",
                                  fix: "set checkpoint.path (CHECKPOINT_PATH, --checkpoint-path) to the lake's checkpoint store file")
            }
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            return
        }
        for dir in [root, stateDirectory, stagingRoot] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        if FileManager.default.fileExists(atPath: legacyMetricsFile) {
            if !FileManager.default.fileExists(atPath: metricsFile) {
                try? FileManager.default.moveItem(atPath: legacyMetricsFile, toPath: metricsFile)
            }
            try? FileManager.default.removeItem(atPath: legacyMetricsFile)
        }
    }
}
