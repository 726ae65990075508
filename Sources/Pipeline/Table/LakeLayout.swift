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
public struct LakeLayout: Sendable {
    public let root: String

    /// - Parameter root: the lake root; made absolute against the current directory.
    public init(root: String) {
        let url = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL
        self.root = url.path
    }

    public var stateDirectory: String { root + "/_weir" }
    public var storePath: String { stateDirectory + "/checkpoint.sqlite" }
    public var stagingRoot: String { stateDirectory + "/staging" }
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
    /// older Weir left at the root (the next commit writes it under `_weir/`).
    /// - Throws: the file system's error, e.g. when `OUT_DIR` is not writable.
    public func createDirectories() throws {
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
