import Foundation
import Logging
import Pipeline

/// Removes expired dedup keys while `weir run` runs: every `interval`, in chunks of `chunk` keys, each chunk its
/// own short transaction, so commits interleave with pruning instead of waiting for it.
struct DedupPruner {
    let store: CheckpointStore
    let ttl: Duration
    var interval: Duration = .seconds(600)
    var chunk = 10_000
    let logger: Logger

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            await pruneOnce()
        }
    }

    /// One pass: deletes every key older than the TTL. Returns how many were removed.
    @discardableResult
    func pruneOnce() async -> Int {
        let cutoff = Int64(Date().timeIntervalSince1970) - ttl.components.seconds
        var removed = 0
        while !Task.isCancelled {
            let n: Int
            do {
                n = try store.pruneKeys(olderThan: cutoff, limit: chunk)
            } catch {
                logger.warning("dedup key pruning failed; will retry", metadata: ["error": "\(error)"])
                return removed
            }
            removed += n
            if n < chunk { break }
            await Task.yield()
        }
        if removed > 0 { logger.info("pruned expired dedup keys", metadata: ["keys": "\(removed)"]) }
        return removed
    }
}
