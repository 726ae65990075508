import Foundation
import Pipeline

/// Collects end-to-end latencies (source timestamp → durable commit) and reports percentiles.
final class LatencyRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var millis: [Int64] = []

    func record(_ report: CommitReport) {
        let committedMs = report.committedAtMicros / 1000
        lock.lock(); defer { lock.unlock() }
        millis.append(contentsOf: report.sourceTimestampsMs.map { max(0, committedMs - $0) })
    }

    /// The `q` quantile (0–1) in milliseconds, nil when nothing was recorded.
    func quantile(_ q: Double) -> Int64? {
        lock.lock(); defer { lock.unlock() }
        guard !millis.isEmpty else { return nil }
        let sorted = millis.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }
}
