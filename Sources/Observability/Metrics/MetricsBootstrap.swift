import CoreMetrics
import Foundation
import Prometheus

/// Connects swift-metrics to swift-prometheus, once per process.
///
/// ```swift
/// let registry = MetricsBootstrap.bootstrap()      // idempotent
/// let metrics = WeirMetrics()                      // records into `registry`
/// let text = MetricsBootstrap.render(registry)     // Prometheus text format 0.0.4
/// ```
public enum MetricsBootstrap {
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var bootstrapped = false
    }
    private static let state = State()

    /// The process-wide registry the bootstrapped factory writes to.
    public static let registry = PrometheusCollectorRegistry()

    /// Bootstraps `MetricsSystem` with a Prometheus factory over ``registry`` (with Weir's
    /// histogram buckets). Safe to call many times: only the first call bootstraps; later calls just
    /// return the registry. Do not also call `MetricsSystem.bootstrap` elsewhere (swift-metrics
    /// traps on a second bootstrap).
    ///
    /// - Returns: ``registry``.
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry {
        state.lock.lock()
        defer { state.lock.unlock() }
        if !state.bootstrapped {
            MetricsSystem.bootstrap(makeFactory(registry: registry))
            state.bootstrapped = true
        }
        return registry
    }

    /// Whether ``bootstrap()`` has run in this process.
    public static var isBootstrapped: Bool {
        state.lock.lock()
        defer { state.lock.unlock() }
        return state.bootstrapped
    }

    /// Makes a Prometheus factory over `registry` with the buckets of ``WeirHistogramBuckets``
    /// (durations in seconds). Use with an isolated registry in tests:
    /// `WeirMetrics(factory: MetricsBootstrap.makeFactory(registry: PrometheusCollectorRegistry()))`.
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = WeirHistogramBuckets.durations.mapValues { bounds in
            bounds.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        }
        factory.valueHistogramBuckets = WeirHistogramBuckets.values
        return factory
    }

    /// Renders `registry` in the Prometheus text exposition format 0.0.4 (UTF-8 bytes).
    public static func render(_ registry: PrometheusCollectorRegistry = registry) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }

    /// The `Content-Type` of ``render(_:)``'s output.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
