import Logging

/// What one commit made durable; handed to observers (progress output, metrics).
public struct CommitReport: Sendable {
    public let commitID: Int64
    public let counts: BatchCounts
    public let files: [StagedFile]
    public let deadLetters: Int
    public let offsets: [SourcePartition: Int64]
    public let duration: Duration
    /// Where `duration` went: DLQ delivery, encoding and fsyncing the lake files, the store transaction.
    public let phases: CommitPhases
    /// Unix microseconds when the commit became durable.
    public let committedAtMicros: Int64
    /// Why the flush happened: `rows`, `bytes`, `interval`, `drained`, `idle` or `shutdown`.
    public let trigger: String
    /// Latest event time committed per partition (microseconds), for lag in seconds.
    public let lastEventMicros: [SourcePartition: Int64]
    /// Source timestamps (unix ms) of the committed records, for end-to-end latency.
    public let sourceTimestampsMs: [Int64]
    /// DLQ records whose envelope was cut to fit the DLQ topic's record limit.
    public var deadLettersTruncated = 0
    /// DLQ records the DLQ topic refused for a lasting reason, written to the file DLQ instead.
    public var deadLettersToFile = 0
}

/// The time of each step of one commit (see `LakeCommitter` for the protocol).
public struct CommitPhases: Sendable {
    /// Delivering the DLQ records and reading the DLQ's high watermarks.
    public var deadLetters: Duration = .zero
    /// Encoding the Parquet files and fsyncing them into staging.
    public var files: Duration = .zero
    /// The store transaction (dedup keys, offsets, manifest) and the renames into the lake.
    public var store: Duration = .zero
}

/// What one micro-batch did; handed to observers as it is processed (before it is committed).
public struct BatchReport: Sendable {
    public let counts: BatchCounts
    /// Time spent decoding, validating, deduplicating and buffering the batch.
    public let duration: Duration
    /// Dedup keys looked up in the store for this batch, and the time the lookup took.
    public let dedupLookups: Int
    public let dedupLookupDuration: Duration
    /// Age of the oldest uncommitted record after this batch.
    public let oldestBufferAge: Duration?
    /// The first record of the batch in each partition: its offset and Kafka timestamp (unix ms, when known).
    public var starts: [SourcePartition: (offset: Int64, timestampMs: Int64?)] = [:]
}

/// Callbacks from the run loop. All optional; called on the run loop's task.
public struct PipelineObserver: Sendable {
    public var batchProcessed: (@Sendable (BatchReport) -> Void)?
    public var committed: (@Sendable (CommitReport) -> Void)?
    public var rebalanced: (@Sendable ([SourcePartition]) -> Void)?

    public init(batchProcessed: (@Sendable (BatchReport) -> Void)? = nil,
                committed: (@Sendable (CommitReport) -> Void)? = nil,
                rebalanced: (@Sendable ([SourcePartition]) -> Void)? = nil) {
        self.batchProcessed = batchProcessed
        self.committed = committed
        self.rebalanced = rebalanced
    }
}

extension CommitReport {
    /// The fields of the `committed` log line: numbers as numbers (JSON logs keep them numeric, so that `jq` or a
    /// log query can compare them), the trigger as text.
    var logMetadata: Logger.Metadata {
        func number(_ n: Int) -> Logger.MetadataValue { .stringConvertible(n) }
        func millis(_ d: Duration) -> Logger.MetadataValue { number(Int(d.seconds * 1000)) }
        return [
            "commit_id": .stringConvertible(commitID), "trigger": "\(trigger)", "records": number(counts.total),
            "landed": number(counts.valid), "duplicates": number(counts.duplicates),
            "dlq": number(counts.invalid), "files": number(files.count),
            "duration_ms": millis(duration), "dlq_ms": millis(phases.deadLetters),
            "files_ms": millis(phases.files), "store_ms": millis(phases.store),
        ]
    }
}
