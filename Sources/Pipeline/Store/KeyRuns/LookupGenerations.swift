import Foundation

/// For each key a lookup found new, the manifest generation (largest run id) the lookup saw, so that a commit
/// checks its keys only against runs committed since: those are the only places another writer can have put
/// the same key meanwhile. A key with no entry (never looked up here, or forgotten) gets generation 0: it is
/// checked against every live run, which is always correct, only slower.
///
/// Bounded: entries live in two generations of at most `limit` keys each; keys looked up but never committed
/// (a batch dropped at a rebalance) are forgotten after two rotations.
final class LookupGenerations: @unchecked Sendable {
    private let lock = NSLock()
    private var current: [DedupKey: Int64] = [:]
    private var previous: [DedupKey: Int64] = [:]
    let limit: Int

    init(limit: Int = 1 << 19) { self.limit = limit }

    func record(_ keys: some Sequence<DedupKey>, generation: Int64) {
        lock.lock()
        defer { lock.unlock() }
        for key in keys {
            if current.count >= limit {
                previous = current
                current = [:]
            }
            current[key] = generation
        }
    }

    /// The oldest generation any of `keys` was looked up at (0 when one of them is unknown); forgets them.
    func take(_ keys: [DedupKey]) -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        var oldest = Int64.max
        for key in keys {
            let g = current.removeValue(forKey: key) ?? previous.removeValue(forKey: key) ?? 0
            oldest = min(oldest, g)
        }
        return keys.isEmpty ? 0 : oldest
    }
}
