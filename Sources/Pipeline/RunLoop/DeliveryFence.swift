import Foundation

/// One commit's DLQ delivery permits (`DeliveryWindow`): asked by the DLQ sink right before each send, for every
/// partition of the commit, from the store (`CheckpointStore.permitDeliveries`). A partition another instance has
/// claimed refuses the permit (`PartitionOwnedElsewhere`): this instance lost it, and the commit is refused without
/// sending anything. A permit that came back too late to start sending within the window's margin is asked again,
/// up to `attempts` times, then the commit fails (`DeliveryPermitLate`).
final class DeliveryFence: @unchecked Sendable {
    private let store: CheckpointStore
    /// This instance's owner token (its writer instance id).
    let owner: String
    let partitions: [SourcePartition]
    let window: DeliveryWindow
    private let now: @Sendable () -> ContinuousClock.Instant
    private let attempts: Int
    private let lock = NSLock()
    private var grantedOnce = false

    /// - Parameters:
    ///   - now: the monotonic clock the margin is measured on (tests pass one of their own).
    ///   - attempts: permits asked before giving up on a late one (at least 1).
    init(store: CheckpointStore, owner: String, partitions: [SourcePartition], window: DeliveryWindow,
         now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }, attempts: Int = 3) {
        self.store = store
        self.owner = owner
        self.partitions = partitions
        self.window = window
        self.now = now
        self.attempts = max(1, attempts)
    }

    /// Whether a permit was granted (its end is then recorded in the store until the commit or `endDeliveries`).
    var granted: Bool { lock.withLock { grantedOnce } }

    /// Asks the store for a permit; returns when a send may start now.
    /// - Throws: `PartitionOwnedElsewhere`; `DeliveryPermitLate` when no permit came back within the margin;
    ///   `StoreError`.
    func request() throws {
        var late: Duration = .zero
        for _ in 0..<attempts {
            let asked = now()
            try store.permitDeliveries(partitions, owner: owner, window: window.permit)
            lock.withLock { grantedOnce = true }
            let answered = now()
            if window.mayStart(askedAt: asked, now: answered) { return }
            late = answered - asked
        }
        throw DeliveryPermitLate(attempts: attempts, took: late, margin: window.margin)
    }

    /// The permit as a DLQ sink asks for it.
    var permit: DeliveryPermit { DeliveryPermit { [self] in try request() } }
}

/// The store answered every DLQ delivery permit too late to start sending within the margin (a stalled host or
/// store): the commit fails instead of sending records a new owner might no longer wait for.
struct DeliveryPermitLate: Error, CustomStringConvertible {
    let attempts: Int
    let took: Duration
    let margin: Duration

    var description: String {
        "the checkpoint store granted no DLQ delivery permit within \(margin) in \(attempts) attempts (the last took "
            + "\(took)): the DLQ records were not sent; check the load of this host and of the store"
    }
}
