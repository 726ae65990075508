import Foundation
import Observability
import Prometheus
import Testing

/// The HTTP listener serves /metrics, /healthz and /readyz on an ephemeral port.
@Suite struct ObservabilityServerTests {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = true
        var ready: Bool {
            get { lock.lock(); defer { lock.unlock() }; return value }
            set { lock.lock(); value = newValue; lock.unlock() }
        }
    }

    @Test func endpoints() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = WeirMetrics(factory: MetricsBootstrap.makeFactory(registry: registry))
        metrics.eventsProcessed(.success, count: 17)
        let flag = Flag()
        let probe = ClosureReadinessProbe { flag.ready ? .ready : .notReady("no partitions assigned") }
        let server = ObservabilityServer(
            configuration: .init(host: "127.0.0.1", port: 0), registry: registry, readiness: probe)
        let port = try await server.start()
        #expect(port > 0)
        #expect(await server.boundPort == port)
        let base = "http://127.0.0.1:\(port)"

        let m = try await TestSupport.get(base + "/metrics")
        #expect(m.status == 200)
        #expect(m.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(m.body.contains(#"kafka_events_processed_total{status="success"} 17"#))

        let h = try await TestSupport.get(base + "/healthz")
        #expect(h.status == 200)
        #expect(h.body == "ok")

        let r1 = try await TestSupport.get(base + "/readyz")
        #expect(r1.status == 200)
        #expect(r1.body == #"{"ready":true}"#)

        flag.ready = false
        let r2 = try await TestSupport.get(base + "/readyz")
        #expect(r2.status == 503)
        #expect(r2.contentType == "application/json")
        let json = try JSONSerialization.jsonObject(with: Data(r2.body.utf8)) as? [String: Any]
        #expect(json?["ready"] as? Bool == false)
        #expect(json?["reason"] as? String == "no partitions assigned")

        let missing = try await TestSupport.get(base + "/nope")
        #expect(missing.status == 404)

        try await server.stop()
        try await server.stop()  // idempotent
        #expect(await server.boundPort == nil)
    }

    @Test func bindErrorsAreThrownAndStartIsGuarded() async throws {
        let first = ObservabilityServer(configuration: .init(port: 0), registry: PrometheusCollectorRegistry())
        let port = try await first.start()
        await #expect(throws: ObservabilityServer.ServerError.alreadyStarted) { try await first.start() }
        let second = ObservabilityServer(configuration: .init(port: port), registry: PrometheusCollectorRegistry())
        await #expect(throws: (any Error).self) { try await second.start() }
        try await first.stop()
        let head = try await TestSupport.get("http://127.0.0.1:\(try await second.start())/healthz")
        #expect(head.status == 200)  // retry after the bind error succeeds once the port is free
        try await second.stop()
    }

    @Test func pipelineReadinessRules() {
        final class Box: @unchecked Sendable {
            var assigned = true, store = true
            var commit: Date? = nil
            var now = Date(timeIntervalSince1970: 1000)
        }
        let box = Box()
        let probe = PipelineReadiness(
            maxCommitAge: .seconds(60), startedAt: Date(timeIntervalSince1970: 1000),
            partitionsAssigned: { box.assigned }, storeReachable: { box.store },
            lastCommit: { box.commit }, now: { box.now })
        #expect(probe.readiness() == .ready)
        box.now = Date(timeIntervalSince1970: 1100)
        #expect(probe.readiness().isReady == false)  // never committed, past the grace period
        box.commit = Date(timeIntervalSince1970: 1090)
        #expect(probe.readiness() == .ready)
        box.store = false
        #expect(probe.readiness() == .notReady("checkpoint store unreachable"))
        box.assigned = false
        #expect(probe.readiness() == .notReady("no partitions assigned"))
    }
}
