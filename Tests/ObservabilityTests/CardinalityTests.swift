import Foundation
import Observability
import Prometheus
import Testing

/// Hostile label values never create new series.
@Suite struct CardinalityTests {
    /// Number of sample lines (series) in an exposition text.
    static func seriesCount(_ text: String) -> Int {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.count
    }

    private func record(_ metrics: WeirMetrics, range: Range<Int>) {
        for i in range {
            let garbage = "rule-\(i) \u{1F4A5}\"\n{le=\"x\"}"
            metrics.validationErrors(rule: i % 3 == 0 ? "required" : garbage, count: 1)
            metrics.dlqRecords(reason: "reason #\(i) \(garbage)", count: 1)
            metrics.eventsProcessed(EventStatus.allCases[i % EventStatus.allCases.count], count: 1)
            metrics.parquetFileWritten(table: "table_\(i)", bytes: 100)
            metrics.consumerLag(topic: "topic-\(i)", partition: Int32(i), offsets: 1, seconds: 0.5)
            metrics.rebalance(kind: i % 2 == 0 ? .assigned : .revoked)
        }
    }

    @Test func tenThousandDistinctBadEventsDoNotGrowSeries() throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = WeirMetrics(
            factory: MetricsBootstrap.makeFactory(registry: registry), maxPartitionSeries: 8, maxTables: 4)
        record(metrics, range: 0..<1_000)
        let first = String(decoding: MetricsBootstrap.render(registry), as: UTF8.self)
        record(metrics, range: 1_000..<10_000)
        let second = String(decoding: MetricsBootstrap.render(registry), as: UTF8.self)

        #expect(Self.seriesCount(first) == Self.seriesCount(second))
        #expect(Self.seriesCount(second) < 300, "series: \(Self.seriesCount(second))")
        let validationLines = second.split(separator: "\n").filter { $0.hasPrefix("kafka_validation_errors_total{") }
        #expect(validationLines.count == ValidationRuleLabel.allowed.count)
        #expect(second.contains(#"kafka_validation_errors_total{error_type="other"} 6666"#))
        #expect(second.contains(#"kafka_validation_errors_total{error_type="required"} 3334"#))
        #expect(second.contains(#"weir_dlq_records_total{reason="other"} 10000"#))
        #expect(!second.contains("rule-"))
        #expect(!second.contains("reason #"))
        #expect(second.contains(#"weir_parquet_files_written_total{table="other"} 9996"#))
    }
}
