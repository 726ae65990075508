import Foundation
import Observability
import Prometheus
import Testing

/// WeirMetrics records the documented names, labels, units and buckets.
@Suite struct WeirMetricsTests {
    private func make() -> (WeirMetrics, PrometheusCollectorRegistry) {
        let registry = PrometheusCollectorRegistry()
        return (WeirMetrics(factory: MetricsBootstrap.makeFactory(registry: registry)), registry)
    }

    private func text(_ registry: PrometheusCollectorRegistry) -> String {
        String(decoding: MetricsBootstrap.render(registry), as: UTF8.self)
    }

    @Test func countersAndLabels() {
        let (m, registry) = make()
        m.eventsProcessed(.success, count: 5)
        m.eventsProcessed(.duplicate, count: 2)
        m.eventsProcessed(.badTimestamp, count: 0)
        m.validationErrors(rule: "regex", count: 3)
        m.dlqRecords(reason: "parse_error", count: 4)
        m.rebalance(kind: .assigned)
        m.dedupLookup(count: 500, duration: .milliseconds(2))
        m.parquetFileWritten(table: "events", bytes: 4096)
        let out = text(registry)
        #expect(out.contains(#"kafka_events_processed_total{status="success"} 5"#))
        #expect(out.contains(#"kafka_events_processed_total{status="duplicate"} 2"#))
        #expect(out.contains(#"kafka_events_processed_total{status="bad_timestamp"} 0"#))
        #expect(out.contains("duplicates_total 2"))
        #expect(out.contains(#"kafka_validation_errors_total{error_type="regex"} 3"#))
        #expect(out.contains(#"weir_dlq_records_total{reason="parse_error"} 4"#))
        #expect(out.contains(#"weir_rebalances_total{kind="assigned"} 1"#))
        #expect(out.contains(#"weir_rebalances_total{kind="revoked"} 0"#))
        #expect(out.contains("weir_dedup_lookups_total 500"))
        #expect(out.contains(#"weir_parquet_files_written_total{table="events"} 1"#))
        #expect(out.contains(#"weir_parquet_bytes_written_total{table="events"} 4096"#))
        #expect(out.contains(#"weir_dedup_lookup_duration_seconds_bucket{le="0.0025"} 1"#))
    }

    @Test func histogramsUseSecondsAndWeirBuckets() {
        let (m, registry) = make()
        m.batchProcessed(duration: .milliseconds(30), size: 120)
        m.batchProcessed(duration: .seconds(3), size: 7000)
        let out = text(registry)
        #expect(out.contains(#"kafka_processing_seconds_bucket{le="0.001"} 0"#))
        #expect(out.contains(#"kafka_processing_seconds_bucket{le="0.05"} 1"#))
        #expect(out.contains(#"kafka_processing_seconds_bucket{le="5.0"} 2"#))
        #expect(out.contains(#"kafka_processing_seconds_bucket{le="10.0"} 2"#))
        #expect(out.contains("kafka_processing_seconds_count 2"))
        #expect(out.contains("kafka_processing_seconds_sum 3.03"))
        #expect(out.contains(#"kafka_batch_size_bucket{le="250.0"} 1"#))
        #expect(out.contains("kafka_batch_size_sum 7120"))
    }

    @Test func icebergCommitsAreRecorded() {
        let (m, registry) = make()
        m.icebergCommit(records: 1200, seconds: 0.04, conflicts: 0)
        m.icebergCommit(records: 30, seconds: 2, conflicts: 2)
        let out = text(registry)
        #expect(out.contains(#"weir_iceberg_commit_records_bucket{le="2500.0"} 2"#), "\(out)")
        #expect(out.contains(#"weir_iceberg_commit_records_bucket{le="1000.0"} 1"#))
        #expect(out.contains("weir_iceberg_commit_records_sum 1230"))
        #expect(out.contains(#"weir_iceberg_commit_duration_seconds_bucket{le="0.05"} 1"#))
        #expect(out.contains("weir_iceberg_commit_duration_seconds_count 2"))
        #expect(out.contains("weir_iceberg_commit_conflicts_total 2"))
        // A commit refused after 3 conflicts in a row adds them, and nothing to the commits' histograms.
        m.icebergCommitRefused(conflicts: 3)
        let after = text(registry)
        #expect(after.contains("weir_iceberg_commit_conflicts_total 5"), "\(after)")
        #expect(after.contains("weir_iceberg_commit_duration_seconds_count 2"))
    }

    @Test func gauges() {
        let (m, registry) = make()
        m.consumerLag(topic: "events", partition: 3, offsets: 1234, seconds: 4.5)
        m.committed(duration: .milliseconds(12), at: Date(timeIntervalSince1970: 1_700_000_000))
        m.bufferOldestAge(seconds: 2.5)
        m.checkpointDBSize(bytes: 65536)
        m.buildInfo(version: "0.1.0", librdkafka: "2.3.0")
        let out = text(registry)
        #expect(out.contains(#"kafka_consumer_lag{topic="events",partition="3"} 1234"#))
        #expect(out.contains(#"kafka_consumer_lag_seconds{topic="events",partition="3"} 4.5"#))
        #expect(out.contains("weir_last_commit_timestamp_seconds 1700000000"))
        #expect(out.contains("weir_commit_duration_seconds_count 1"))
        #expect(out.contains("weir_buffer_oldest_age_seconds 2.5"))
        #expect(out.contains("checkpoint_db_size_bytes 65536"))
        #expect(out.contains(#"weir_build_info{version="0.1.0",librdkafka="2.3.0"} 1"#))
        m.removeConsumerLag(topic: "events", partition: 3)
        #expect(!text(registry).contains("kafka_consumer_lag"))
    }

    @Test func bootstrapIsIdempotent() {
        let a = MetricsBootstrap.bootstrap()
        let b = MetricsBootstrap.bootstrap()
        #expect(a === b)
        #expect(MetricsBootstrap.isBootstrapped)
    }

    @Test func validationRuleNormalisation() {
        #expect(ValidationRuleLabel.normalize("maxlength") == "maxlength")
        #expect(ValidationRuleLabel.normalize("MaxLength") == "other")
        #expect(ValidationRuleLabel.normalize("") == "other")
        #expect(DLQReasonLabel.normalize("too_large") == "too_large")
        #expect(DLQReasonLabel.normalize("kaboom") == "other")
    }
}
