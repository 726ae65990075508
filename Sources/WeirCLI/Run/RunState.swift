import Foundation
import Pipeline

/// Live facts about a running pipeline, shared between the run loop's observer, `/readyz` and the progress
/// output. Thread-safe.
final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var _assigned: [SourcePartition] = []
    private var _lastCommit: Date?
    private var _committed = BatchCounts()
    private var _filesWritten = 0
    private var _bytesWritten: Int64 = 0
    private var _processed = 0
    private var _lastEventMicros: [SourcePartition: Int64] = [:]
    private var _lag: Int64?
    private var timeLag = ConsumerTimeLag()

    let startedAt = Date()

    func withLock<T>(_ body: () -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        return body()
    }

    var assigned: [SourcePartition] { withLock { _assigned } }
    var lastCommit: Date? { withLock { _lastCommit } }
    var committed: BatchCounts { withLock { _committed } }
    var filesWritten: Int { withLock { _filesWritten } }
    var bytesWritten: Int64 { withLock { _bytesWritten } }
    var processed: Int { withLock { _processed } }

    var lastEventMicros: [SourcePartition: Int64] { withLock { _lastEventMicros } }

    /// Total consumer lag in offsets over the assigned partitions, when known.
    var lag: Int64? { withLock { _lag } }
    func setLag(_ lag: Int64?) { withLock { _lag = lag } }

    func rebalanced(_ partitions: [SourcePartition]) {
        withLock {
            _assigned = partitions
            timeLag.assigned(partitions)
        }
    }

    func processed(_ batch: BatchReport) {
        withLock {
            _processed += batch.counts.total
            for (partition, start) in batch.starts { timeLag.read(partition, offset: start.offset, timestampMs: start.timestampMs) }
        }
    }

    /// `kafka_consumer_lag_seconds` of each partition, from its offset lag (see `ConsumerTimeLag`).
    func lagSeconds(offsetLags: [SourcePartition: Int64], nowMs: Int64) -> [SourcePartition: Double] {
        withLock {
            var out: [SourcePartition: Double] = [:]
            for (partition, lag) in offsetLags { out[partition] = timeLag.seconds(partition, offsetLag: lag, nowMs: nowMs) }
            return out
        }
    }

    func committed(_ report: CommitReport) {
        withLock {
            _lastCommit = Date()
            _committed.add(report.counts)
            _filesWritten += report.files.count
            _bytesWritten += report.files.reduce(0) { $0 + $1.bytes }
            _lastEventMicros.merge(report.lastEventMicros) { max($0, $1) }
            timeLag.committed(report.offsets)
        }
    }
}
