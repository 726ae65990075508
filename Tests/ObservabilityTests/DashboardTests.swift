import Foundation
import Observability
import Testing

/// deploy/grafana/dashboard.json is valid, templated on the datasource, and covers the catalogue.
@Suite struct DashboardTests {
    static func load() throws -> [String: Any] {
        let url = TestSupport.packageRoot.appendingPathComponent("deploy/grafana/dashboard.json")
        return try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Every PromQL expression of the dashboard with Grafana variables substituted.
    static func expressions() throws -> [String] {
        let panels = try #require(try load()["panels"] as? [[String: Any]])
        return panels.flatMap { ($0["targets"] as? [[String: Any]]) ?? [] }.compactMap { $0["expr"] as? String }
            .map {
                $0.replacingOccurrences(of: "$__rate_interval", with: "1m")
                    .replacingOccurrences(of: "$__range", with: "1h")
                    .replacingOccurrences(of: "$job", with: "weir")
            }
    }

    @Test func validAndTemplated() throws {
        let dashboard = try Self.load()
        let templating = try #require(dashboard["templating"] as? [String: Any])
        let variables = try #require(templating["list"] as? [[String: Any]])
        #expect(variables.contains { $0["type"] as? String == "datasource" && $0["query"] as? String == "prometheus" })
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        for panel in panels where panel["type"] as? String != "row" {
            let ds = panel["datasource"] as? [String: Any]
            #expect(ds?["uid"] as? String == "${datasource}", "panel \(panel["title"] ?? "?")")
        }
    }

    @Test func coversEveryMetric() throws {
        let all = try Self.expressions().joined(separator: "\n")
        let names = [
            WeirMetricName.eventsProcessed, WeirMetricName.validationErrors, WeirMetricName.processingSeconds,
            WeirMetricName.consumerLag, WeirMetricName.consumerLagSeconds, WeirMetricName.checkpointDBSize,
            WeirMetricName.batchSize, WeirMetricName.duplicates, WeirMetricName.bufferOldestAge,
            WeirMetricName.parquetFilesWritten, WeirMetricName.parquetBytesWritten, WeirMetricName.commitDuration,
            WeirMetricName.dlqRecords, WeirMetricName.dedupLookups, WeirMetricName.dedupLookupDuration,
            WeirMetricName.rebalances, WeirMetricName.lastCommitTimestamp, WeirMetricName.lastCommittedEventTimestamp,
            WeirMetricName.dlqTruncated, WeirMetricName.dlqFileFallback, WeirMetricName.lakeRefusedWrites,
        ]
        for name in names {
            #expect(all.contains(name), "\(name) not on the dashboard")
        }
    }
}
