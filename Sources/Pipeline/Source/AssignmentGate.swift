import Dispatch
import Foundation

/// Serializes commits with partition assignment changes inside one process.
///
/// Kafka's eager rebalance protocol gives a partition to a new owner only after the old owner's revocation
/// callback has returned. The source calls `changeAssignment` from that callback, which waits for a commit in
/// progress to finish; the run loop commits only while holding the gate and only if the assignment generation
/// is the one its uncommitted work was read under. So this process never delivers DLQ records or commits offsets
/// for a partition it has already given up, and the next owner starts after its last commit.
///
/// The gate is a semaphore, not a lock: the run loop may take it on one thread and give it back on another.
public final class AssignmentGate: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 1)
    /// Waits happen here, on a thread of their own, so a long commit never ties up a global-queue worker.
    private let waiter = DispatchQueue(label: "weir.assignment-gate")
    private let lock = NSLock()
    private var _generation = 0

    public init() {}

    /// Increments with every assignment or revocation.
    public var generation: Int { lock.withLock { _generation } }

    /// Runs `body` with the generation, holding the lock an assignment change holds while its body runs: state that
    /// changes only in those bodies is read consistently with the generation here. Take other locks inside `body`,
    /// never around this call (`changeAssignment` takes them in that order).
    public func withGeneration<T>(_ body: (Int) -> T) -> T {
        lock.withLock { body(_generation) }
    }

    /// For the source, on its poll thread: waits for a commit in progress, then records an assignment change.
    public func changeAssignment(_ body: () -> Void) {
        semaphore.wait()
        lock.withLock {
            _generation += 1
            body()
        }
        semaphore.signal()
    }

    /// For the run loop: waits (off the cooperative pool) until no assignment change is in progress, holds the
    /// gate, and returns the current generation. Call `release()` when the commit is done.
    public func acquire() async -> Int {
        let semaphore = self.semaphore
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiter.async {
                semaphore.wait()
                continuation.resume()
            }
        }
        return generation
    }

    public func release() { semaphore.signal() }
}
