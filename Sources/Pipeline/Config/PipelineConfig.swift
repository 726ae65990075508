/// Everything the pipeline needs to run one table, with the documented defaults.
///
/// Sizes are bytes, durations are `Duration`. `WeirCLI` builds it from `weir.yaml`, environment variables and
/// flags (see `config/weir.example.yaml`); the pipeline itself reads no files or environment.
public struct PipelineConfig: Sendable {
    /// Source topic (`kafka.topic`, env `KAFKA_TOPIC`). Default `pi2_events`.
    public var topic = "pi2_events"
    /// Lake table name, used in metrics labels and file metadata (`lake.table`). Default: the topic.
    public var table = "pi2_events"
    /// Schema version recorded in DLQ envelopes and file metadata (`schema.version`). Default `v1`.
    public var schemaVersion = "v1"

    /// Most records per poll (`batch.max_poll_records`). Default 5,000: each micro-batch has a fixed cost
    /// (waking the evaluation threads, a dedup lookup per slice, handing the batch between threads) that 500-record
    /// polls paid 2,000 times per million events (docs/BENCHMARKS.md, 2026-12-07T16:40Z), and with a PostgreSQL
    /// store every lookup is a round trip. A poll still returns early at a partition's end or after `maxWait`.
    public var maxPollRecords = 5_000
    /// Records per poll as the run loop asks for them: `maxPollRecords`, but never more than one flush
    /// (`flushRows`), so that a small `lake.flush_rows` still commits every `flushRows` records.
    public var pollRecords: Int { max(1, min(maxPollRecords, flushRows)) }
    /// Longest wait for a poll to fill (`batch.max_wait`). Default 1 s.
    public var maxWait: Duration = .seconds(1)
    /// Largest accepted message value in bytes; larger ones go to the DLQ as `too_large` (`batch.max_message_bytes`). Default 1 MiB.
    public var maxMessageBytes = 1 << 20
    /// Deepest accepted JSON nesting (`batch.max_depth`). Default 64.
    public var maxDepth = 64

    /// The dedup key (`dedup.key`). Default the `event_id` field.
    public var dedupKey: DedupKeySpec = .fields(["event_id"])
    /// How long dedup keys are kept (`dedup.ttl`). Default 7 days, Kafka's default retention.
    public var dedupTTL: Duration = .seconds(7 * 86_400)

    /// The event-time field, dotted for nested fields (`event_time.field`). Default `ts`.
    public var eventTimeField = "ts"
    /// Its format (`event_time.format`). Default ISO 8601.
    public var eventTimeFormat: EventTimeFormat = .iso8601
    /// Events older than this before now go to the DLQ as `bad_timestamp` (`event_time.max_past`). Default off.
    public var maxPast: Duration? = nil
    /// Events further than this after now go to the DLQ as `bad_timestamp` (`event_time.max_future`). Default off.
    public var maxFuture: Duration? = nil

    /// Hive partitioning (`lake.partition_by_hour`). Default `date=` only.
    public var partitioning = HivePartitioning()
    /// Keep fields not in the schema as one JSON column `_extra` (`lake.unknown_fields: keep|drop`). Default keep.
    public var keepUnknownFields = true
    /// Add `_kafka_partition` and `_kafka_offset` (`lake.lineage`). Default true.
    public var lineageColumns = true
    /// Flush and commit when this many rows (lake + DLQ) are buffered (`lake.flush_rows`). Default 100,000.
    public var flushRows = 100_000
    /// … or this many bytes of input are buffered (`lake.flush_bytes`). Default 64 MiB.
    public var flushBytes = 64 << 20
    /// … or the oldest buffered record is this old, even when idle (`lake.flush_interval`). Default 60 s.
    public var flushInterval: Duration = .seconds(60)
    /// Parquet settings (`lake.compression`, `lake.row_group_rows`, `lake.page_bytes`).
    public var parquet = LakeParquetSettings()

    /// Dead-letter topic (`dlq.topic`). Default `<topic>_dlq`.
    public var deadLetterTopic: String? = nil

    public init() {}

    /// The DLQ topic in effect.
    public var effectiveDeadLetterTopic: String { deadLetterTopic ?? topic + "_dlq" }
}

/// Parquet settings of lake files.
public struct LakeParquetSettings: Sendable {
    /// `uncompressed`, `snappy`, `gzip` or `zstd`. Default `zstd`.
    public var compression = "zstd"
    /// Most rows per row group. Default 1,000,000.
    public var rowGroupRows = 1_000_000
    /// Target page size in bytes. Default 1 MiB.
    public var pageBytes = 1 << 20

    public init() {}
}
