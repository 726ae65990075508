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
///   metrics.txt                        running totals, rewritten atomically at each commit
/// ```
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
    public var metricsFile: String { root + "/metrics.txt" }

    /// The staging directory of one instance.
    public func stagingDirectory(instance: String) -> String { stagingRoot + "/" + instance }

    /// Creates the lake root, the state directory and the staging root.
    /// - Throws: the file system's error, e.g. when `OUT_DIR` is not writable.
    public func createDirectories() throws {
        for dir in [root, stateDirectory, stagingRoot] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }
}
