import Foundation
import Observability
import Prometheus
import Testing

/// A real Prometheus scrapes an ObservabilityServer and sees exactly what WeirMetrics recorded.
@Suite struct PrometheusIntegrationTests {
    @Test(.timeLimit(.minutes(6))) func prometheusScrapesRecordedCounts() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = WeirMetrics(factory: MetricsBootstrap.makeFactory(registry: registry))
        let expected: [EventStatus: Int] = [.success: 420, .validationError: 17, .duplicate: 5, .tooLarge: 1]
        for (status, count) in expected { metrics.eventsProcessed(status, count: count) }
        metrics.batchProcessed(duration: .milliseconds(40), size: 443)

        let server = ObservabilityServer(configuration: .init(port: 0), registry: registry)
        let port = try await server.start()
        let prometheus: PrometheusTestServer
        do {
            prometheus = try await PrometheusTestServer.start(targets: ["127.0.0.1:\(port)"])
        } catch {
            try await server.stop()
            Issue.record("\(error)")
            return
        }
        defer { prometheus.stop() }

        func matches(_ samples: [PrometheusTestServer.Sample]) -> Bool {
            let got = Dictionary(samples.compactMap { s in s.labels["status"].map { ($0, s.value) } },
                                 uniquingKeysWith: { a, _ in a })
            return got.count == EventStatus.allCases.count && EventStatus.allCases.allSatisfy {
                got[$0.rawValue] == Double(expected[$0] ?? 0)
            }
        }
        do {
            let samples = try await prometheus.waitFor("kafka_events_processed_total", until: matches)
            #expect(samples.allSatisfy { $0.labels["job"] == "weir" })
            let up = try await prometheus.query(#"up{job="weir"}"#)
            #expect(up.first?.value == 1)
            let batches = try await prometheus.query("kafka_processing_seconds_count")
            #expect(batches.first?.value == 1)
            // Every dashboard query parses and evaluates on a real Prometheus.
            for expr in try DashboardTests.expressions() {
                do {
                    _ = try await prometheus.query(expr)
                } catch {
                    Issue.record("dashboard query rejected: \(expr): \(error)")
                }
            }
        } catch {
            Issue.record("\(error)")
        }
        try await server.stop()
    }
}
