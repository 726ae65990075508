import CoreMetrics
import Foundation

/// Every Weir metric, defined once, recorded through the swift-metrics API only.
///
/// The type depends on `CoreMetrics` alone (no Prometheus), so the pipeline can own it later.
/// All label values are bounded: closed enums, allow-lists mapping unknown values to `other`, and a
/// cap on open-ended labels (topics × partitions, tables). See docs/OBSERVABILITY.md for the catalogue.
///
/// Thread-safe; create one per process (after ``MetricsBootstrap/bootstrap()``) and share it.
public final class WeirMetrics: Sendable {
    private let factory: any MetricsFactory
    private let events: [EventStatus: Counter]
    private let validation: [String: Counter]
    private let dlq: [String: Counter]
    private let rebalances: [RebalanceKind: Counter]
    private let duplicates: Counter
    private let processing: CoreMetrics.Timer
    private let batchSize: Recorder
    private let commitDuration: CoreMetrics.Timer
    private let lastCommit: Gauge
    private let dedupLookups: Counter
    private let dlqTruncated: Counter
    private let dlqFileFallback: Counter
    private let lakeRefusedWrites: Counter
    private let lakeObjectStoreRetries: Counter
    private let dedupDuration: CoreMetrics.Timer
    private let bufferAge: Gauge
    private let checkpointSize: Gauge
    private let icebergRecords: Recorder
    private let icebergDuration: CoreMetrics.Timer
    private let icebergConflicts: Counter
    private let partitions: LabelLimiter
    private let tables: LabelLimiter

    /// Creates (registers) all fixed-label metrics.
    ///
    /// - Parameters:
    ///   - factory: the swift-metrics factory; defaults to the bootstrapped `MetricsSystem.factory`.
    ///     Tests pass an isolated factory.
    ///   - maxPartitionSeries: cap on distinct `topic` and distinct `partition` values for the lag
    ///     gauges (default 1024); later values are reported as `other`.
    ///   - maxTables: cap on distinct `table` values (default 64).
    public init(
        factory: any MetricsFactory = MetricsSystem.factory,
        maxPartitionSeries: Int = 1024,
        maxTables: Int = 64
    ) {
        self.factory = factory
        func counter(_ name: String, _ dims: [(String, String)] = []) -> Counter {
            Counter(label: name, dimensions: dims, factory: factory)
        }
        events = Dictionary(uniqueKeysWithValues: EventStatus.allCases.map {
            ($0, counter(WeirMetricName.eventsProcessed, [("status", $0.rawValue)]))
        })
        validation = Dictionary(uniqueKeysWithValues: ValidationRuleLabel.allowed.map {
            ($0, counter(WeirMetricName.validationErrors, [("error_type", $0)]))
        })
        dlq = Dictionary(uniqueKeysWithValues: DLQReasonLabel.allowed.map {
            ($0, counter(WeirMetricName.dlqRecords, [("reason", $0)]))
        })
        rebalances = Dictionary(uniqueKeysWithValues: RebalanceKind.allCases.map {
            ($0, counter(WeirMetricName.rebalances, [("kind", $0.rawValue)]))
        })
        duplicates = counter(WeirMetricName.duplicates)
        dedupLookups = counter(WeirMetricName.dedupLookups)
        dlqTruncated = counter(WeirMetricName.dlqTruncated)
        dlqFileFallback = counter(WeirMetricName.dlqFileFallback)
        lakeRefusedWrites = counter(WeirMetricName.lakeRefusedWrites)
        lakeObjectStoreRetries = counter(WeirMetricName.lakeObjectStoreRetries)
        processing = Timer(label: WeirMetricName.processingSeconds, factory: factory)
        commitDuration = Timer(label: WeirMetricName.commitDuration, factory: factory)
        dedupDuration = Timer(label: WeirMetricName.dedupLookupDuration, factory: factory)
        batchSize = Recorder(label: WeirMetricName.batchSize, aggregate: true, factory: factory)
        lastCommit = Gauge(label: WeirMetricName.lastCommitTimestamp, factory: factory)
        bufferAge = Gauge(label: WeirMetricName.bufferOldestAge, factory: factory)
        checkpointSize = Gauge(label: WeirMetricName.checkpointDBSize, factory: factory)
        icebergRecords = Recorder(label: WeirMetricName.icebergCommitRecords, aggregate: true, factory: factory)
        icebergDuration = Timer(label: WeirMetricName.icebergCommitDuration, factory: factory)
        icebergConflicts = counter(WeirMetricName.icebergCommitConflicts)
        partitions = LabelLimiter(capacity: maxPartitionSeries)
        tables = LabelLimiter(capacity: maxTables)
    }

    /// Adds `count` records with outcome `status` to `kafka_events_processed_total{status}`.
    /// `.duplicate` also adds to `duplicates_total`. Non-positive counts are ignored.
    public func eventsProcessed(_ status: EventStatus, count: Int) {
        guard count > 0 else { return }
        events[status]?.increment(by: count)
        if status == .duplicate { duplicates.increment(by: count) }
    }

    /// Records one Iceberg catalog commit: its rows into `weir_iceberg_commit_records`, its duration (seconds)
    /// into `weir_iceberg_commit_duration_seconds`, and the pointer conflicts it re-planned after into
    /// `weir_iceberg_commit_conflicts_total`.
    public func icebergCommit(records: Int64, seconds: Double, conflicts: Int) {
        icebergRecords.record(records)
        icebergDuration.recordNanoseconds(Int64(seconds * 1e9))
        if conflicts > 0 { icebergConflicts.increment(by: conflicts) }
    }

    /// Records an Iceberg commit refused after `conflicts` pointer conflicts in a row: they are added to
    /// `weir_iceberg_commit_conflicts_total` (the commit itself adds nothing to the other Iceberg metrics).
    public func icebergCommitRefused(conflicts: Int) {
        if conflicts > 0 { icebergConflicts.increment(by: conflicts) }
    }

    /// Adds `count` to `kafka_validation_errors_total{error_type}`; `rule` is a Cerberus rule name,
    /// mapped to `other` unless in ``ValidationRuleLabel/allowed``.
    public func validationErrors(rule: String, count: Int = 1) {
        guard count > 0 else { return }
        validation[ValidationRuleLabel.normalize(rule)]?.increment(by: count)
    }

    /// Records one micro-batch: its wall-clock `duration` into `kafka_processing_seconds` and its
    /// record count `size` into `kafka_batch_size`.
    public func batchProcessed(duration: Duration, size: Int) {
        processing.recordNanoseconds(Self.nanoseconds(duration))
        batchSize.record(size)
    }

    /// Sets the lag gauges of one partition: `offsets` (high watermark − committed offset) and
    /// `seconds` (age of the oldest record not yet committed, by its Kafka timestamp; 0 when caught up; see
    /// `ConsumerTimeLag`). Topic and partition are capped by `maxPartitionSeries`.
    public func consumerLag(topic: String, partition: Int32, offsets: Int64, seconds: Double) {
        let dims = [("topic", partitions.limit(topic)), ("partition", partitions.limit(String(partition)))]
        Gauge(label: WeirMetricName.consumerLag, dimensions: dims, factory: factory).record(offsets)
        Gauge(label: WeirMetricName.consumerLagSeconds, dimensions: dims, factory: factory).record(seconds)
    }

    /// Sets `weir_last_committed_event_timestamp_seconds{topic,partition}`: the event time (Unix seconds) of the
    /// newest event of the partition committed so far.
    public func lastCommittedEventTime(topic: String, partition: Int32, unixSeconds: Double) {
        let dims = [("topic", partitions.limit(topic)), ("partition", partitions.limit(String(partition)))]
        Gauge(label: WeirMetricName.lastCommittedEventTimestamp, dimensions: dims, factory: factory).record(unixSeconds)
    }

    /// Removes the lag and event-time series of a partition (call when it is revoked), so a stale value does
    /// not keep the lag alerts firing. Recording again re-creates them.
    public func removeConsumerLag(topic: String, partition: Int32) {
        let dims = [("topic", partitions.limit(topic)), ("partition", partitions.limit(String(partition)))]
        Gauge(label: WeirMetricName.consumerLag, dimensions: dims, factory: factory).destroy()
        Gauge(label: WeirMetricName.consumerLagSeconds, dimensions: dims, factory: factory).destroy()
        Gauge(label: WeirMetricName.lastCommittedEventTimestamp, dimensions: dims, factory: factory).destroy()
    }

    /// Records a successful exactly-once commit: its `duration` into `weir_commit_duration_seconds`
    /// and `at` into `weir_last_commit_timestamp_seconds` (Unix seconds).
    public func committed(duration: Duration, at: Date = Date()) {
        commitDuration.recordNanoseconds(Self.nanoseconds(duration))
        lastCommit.record(at.timeIntervalSince1970)
    }

    /// Counts one Parquet file of `bytes` bytes written for `table` (capped by `maxTables`).
    public func parquetFileWritten(table: String, bytes: Int) {
        let dims = [("table", tables.limit(table))]
        Counter(label: WeirMetricName.parquetFilesWritten, dimensions: dims, factory: factory).increment()
        if bytes > 0 {
            Counter(label: WeirMetricName.parquetBytesWritten, dimensions: dims, factory: factory)
                .increment(by: bytes)
        }
    }

    /// Adds `count` to `weir_dlq_records_total{reason}`; `reason` is a DLQ'd `EventStatus` value
    /// (`validation_error` for a schema failure, see `DLQReasonLabel`), anything else maps to `other`.
    public func dlqRecords(reason: String, count: Int = 1) {
        guard count > 0 else { return }
        dlq[DLQReasonLabel.normalize(reason)]?.increment(by: count)
    }

    /// Adds to `weir_dlq_truncated_records_total` (envelopes cut to fit the DLQ topic) and
    /// `weir_dlq_file_fallback_records_total` (records the DLQ topic refused, written to the file DLQ).
    public func dlqDelivery(truncated: Int, toFile: Int) {
        if truncated > 0 { dlqTruncated.increment(by: truncated) }
        if toFile > 0 { dlqFileFallback.increment(by: toFile) }
    }

    /// Adds to `weir_lake_refused_writes_total`: create-only lake writes the object store refused (412).
    public func lakeRefusedWrite(count: Int = 1) {
        if count > 0 { lakeRefusedWrites.increment(by: count) }
    }

    /// Adds to `weir_lake_object_store_retries_total`: requests to an `s3://` lake's object store sent again after a
    /// retryable failure (5xx, 429/503 SlowDown, timeouts, resets).
    public func lakeObjectStoreRetry(count: Int = 1) {
        if count > 0 { lakeObjectStoreRetries.increment(by: count) }
    }

    /// Records one batched dedup lookup of `count` keys taking `duration`.
    public func dedupLookup(count: Int, duration: Duration) {
        if count > 0 { dedupLookups.increment(by: count) }
        dedupDuration.recordNanoseconds(Self.nanoseconds(duration))
    }

    /// Counts one rebalance callback of the given kind.
    public func rebalance(kind: RebalanceKind) {
        rebalances[kind]?.increment()
    }

    /// Sets `weir_buffer_oldest_age_seconds`: age of the oldest record still buffered (0 when empty).
    public func bufferOldestAge(seconds: Double) {
        bufferAge.record(seconds)
    }

    /// Sets `checkpoint_db_size_bytes` (size of the dedup/checkpoint SQLite file).
    public func checkpointDBSize(bytes: Int64) {
        checkpointSize.record(bytes)
    }

    /// Sets `weir_build_info{version,librdkafka} 1`. Call once at start-up.
    public func buildInfo(version: String, librdkafka: String) {
        let dims = [("version", LabelLimiter.sanitize(version)), ("librdkafka", LabelLimiter.sanitize(librdkafka))]
        Gauge(label: WeirMetricName.buildInfo, dimensions: dims, factory: factory).record(1)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? 0 : Int64.max }
        return max(0, ns &+ attoseconds / 1_000_000_000)
    }
}
