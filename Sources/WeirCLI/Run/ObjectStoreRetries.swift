import Logging
import ObjectStore

/// Counts the requests to an `s3://` lake's object store that were retried (`weir_lake_object_store_retries_total`)
/// and logs each at warning with the action, the object and what failed (never headers or credentials).
final class ObjectStoreRetries: Sendable {
    private let tally = EventTally()
    private let logger = Logger(label: "weir.lake")

    /// Retries so far.
    var total: Int { tally.total }

    func record(_ retry: S3Retry) {
        let cause: String
        switch retry.outcome {
        case .response(let status, let code): cause = "HTTP \(status)" + (code.map { " \($0)" } ?? "")
        case .transport(let kind): cause = "\(kind)"
        }
        let delayMs = retry.delay.components.seconds * 1000 + retry.delay.components.attoseconds / 1_000_000_000_000_000
        logger.warning("the object store request failed and is retried",
                       metadata: ["action": "\(retry.action)", "object": "\(retry.key ?? "")", "cause": "\(cause)",
                                  "attempt": "\(retry.attempt)", "retry_in_ms": "\(delayMs)"])
        tally.increment()
    }

    /// Forwards every retry (and those so far) to `sink`.
    func forward(to sink: @escaping @Sendable (Int) -> Void) { tally.forward(to: sink) }
}
