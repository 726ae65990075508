/// The name of every Weir metric, in one place. Dashboards and alert rules depend on these strings.
///
/// Names follow Prometheus conventions: `_total` for counters, base units (`_seconds`, `_bytes`)
/// in the name. The `kafka_*` names are kept from the source dashboards.
public enum WeirMetricName {
    /// Counter, label `status` (``EventStatus``).
    public static let eventsProcessed = "kafka_events_processed_total"
    /// Counter, label `error_type` (``ValidationRuleLabel``).
    public static let validationErrors = "kafka_validation_errors_total"
    /// Histogram (seconds), one observation per micro-batch.
    public static let processingSeconds = "kafka_processing_seconds"
    /// Gauge (offsets), labels `topic`, `partition`.
    public static let consumerLag = "kafka_consumer_lag"
    /// Gauge (seconds), labels `topic`, `partition`: age of the oldest record not yet committed, by its Kafka
    /// timestamp; 0 when caught up.
    public static let consumerLagSeconds = "kafka_consumer_lag_seconds"
    /// Gauge (Unix seconds), labels `topic`, `partition`: event time of the newest committed event (freshness of
    /// the data: `time() - weir_last_committed_event_timestamp_seconds`).
    public static let lastCommittedEventTimestamp = "weir_last_committed_event_timestamp_seconds"
    /// Gauge (bytes).
    public static let checkpointDBSize = "checkpoint_db_size_bytes"
    /// Histogram (records per batch); stands in for the source's summary.
    public static let batchSize = "kafka_batch_size"
    /// Counter.
    public static let duplicates = "duplicates_total"
    /// Gauge (seconds).
    public static let bufferOldestAge = "weir_buffer_oldest_age_seconds"
    /// Counter, label `table`.
    public static let parquetFilesWritten = "weir_parquet_files_written_total"
    /// Counter (bytes), label `table`.
    public static let parquetBytesWritten = "weir_parquet_bytes_written_total"
    /// Histogram (seconds).
    public static let commitDuration = "weir_commit_duration_seconds"
    /// Counter, label `reason` (``DLQReasonLabel``).
    public static let dlqRecords = "weir_dlq_records_total"
    /// Counter: DLQ records whose envelope was cut to fit the DLQ topic's record limit.
    public static let dlqTruncated = "weir_dlq_truncated_records_total"
    /// Counter: DLQ records the DLQ topic refused, written to the file DLQ instead.
    public static let dlqFileFallback = "weir_dlq_file_fallback_records_total"
    /// Counter: create-only lake writes the object store refused because the name was taken (HTTP 412 on a PUT,
    /// a multipart completion or a publishing copy): a zombie's publish, or a retried one.
    public static let lakeRefusedWrites = "weir_lake_refused_writes_total"
    /// Counter: requests to an `s3://` lake's object store that were retried (a 5xx, 429 or 503 `SlowDown`, a
    /// timeout or a reset; each retry counts once).
    public static let lakeObjectStoreRetries = "weir_lake_object_store_retries_total"
    /// Counter (keys looked up).
    public static let dedupLookups = "weir_dedup_lookups_total"
    /// Histogram (seconds), one observation per batched lookup.
    public static let dedupLookupDuration = "weir_dedup_lookup_duration_seconds"
    /// Counter, label `kind` (``RebalanceKind``).
    public static let rebalances = "weir_rebalances_total"
    /// Gauge, always 1, labels `version`, `librdkafka`.
    public static let buildInfo = "weir_build_info"
    /// Histogram (records), one observation per Iceberg catalog commit (one per flush).
    public static let icebergCommitRecords = "weir_iceberg_commit_records"
    /// Histogram (seconds): an Iceberg commit from its manifests to the store transaction that moves the pointer.
    public static let icebergCommitDuration = "weir_iceberg_commit_duration_seconds"
    /// Counter: Iceberg commits re-planned because another writer moved the table's pointer first.
    public static let icebergCommitConflicts = "weir_iceberg_commit_conflicts_total"
    /// Gauge (Unix seconds).
    public static let lastCommitTimestamp = "weir_last_commit_timestamp_seconds"
}

/// Histogram bucket upper bounds for each Weir histogram, in the metric's base unit.
///
/// swift-metrics has no notion of buckets; ``MetricsBootstrap`` hands these to the Prometheus backend.
public enum WeirHistogramBuckets {
    /// 1 ms … 10 s, for `kafka_processing_seconds` and `weir_commit_duration_seconds`.
    public static let batchSeconds: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
    /// 100 µs … 1 s, for `weir_dedup_lookup_duration_seconds`.
    public static let lookupSeconds: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    ]
    /// 1 … 100 000 records, for `kafka_batch_size`.
    public static let batchSize: [Double] = [
        1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100_000,
    ]
    /// Duration histograms (swift-metrics `Timer`) by metric name.
    public static let durations: [String: [Double]] = [
        WeirMetricName.processingSeconds: batchSeconds,
        WeirMetricName.commitDuration: batchSeconds,
        WeirMetricName.dedupLookupDuration: lookupSeconds,
        WeirMetricName.icebergCommitDuration: batchSeconds,
    ]
    /// Value histograms (swift-metrics aggregating `Recorder`) by metric name.
    public static let values: [String: [Double]] = [
        WeirMetricName.batchSize: batchSize,
        WeirMetricName.icebergCommitRecords: batchSize,
    ]
}
