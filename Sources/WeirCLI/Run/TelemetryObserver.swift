import Foundation
import Observability
import Pipeline

/// Connects the run loop to the Prometheus metrics and the shared `RunState`.
///
/// Events are counted when their commit is durable (`kafka_events_processed_total` never counts work that a
/// rebalance later drops); batch latency and size are recorded per micro-batch as it is processed.
enum TelemetryObserver {
    static func make(metrics: WeirMetrics, state: RunState, table: String) -> PipelineObserver {
        PipelineObserver(
            batchProcessed: { batch in
                metrics.batchProcessed(duration: batch.duration, size: batch.counts.total)
                if batch.dedupLookups > 0 { metrics.dedupLookup(count: batch.dedupLookups, duration: batch.dedupLookupDuration) }
                metrics.bufferOldestAge(seconds: batch.oldestBufferAge?.seconds ?? 0)
                state.processed(batch)
            },
            committed: { report in
                let c = report.counts
                metrics.eventsProcessed(.success, count: c.valid)
                metrics.eventsProcessed(.duplicate, count: c.duplicates)
                for (reason, n) in c.deadLettered {
                    // One label value for a rejection on both metrics: the status (validation_error, not schema).
                    let status = status(for: reason)
                    metrics.eventsProcessed(status, count: n)
                    metrics.dlqRecords(reason: status.rawValue, count: n)
                }
                metrics.dlqDelivery(truncated: report.deadLettersTruncated, toFile: report.deadLettersToFile)
                for (rule, n) in c.validationErrors { metrics.validationErrors(rule: rule, count: n) }
                for file in report.files { metrics.parquetFileWritten(table: table, bytes: Int(file.bytes)) }
                metrics.committed(duration: report.duration)
                state.committed(report)
            },
            rebalanced: { partitions in
                metrics.rebalance(kind: .assigned)
                state.rebalanced(partitions)
            })
    }

    static func status(for reason: RejectionReason) -> EventStatus {
        switch reason {
        case .parseError: return .parseError
        case .notObject: return .notObject
        case .schema: return .validationError
        case .tooLarge: return .tooLarge
        case .tombstone: return .tombstone
        case .badTimestamp: return .badTimestamp
        }
    }
}
