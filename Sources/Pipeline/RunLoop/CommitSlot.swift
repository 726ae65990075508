import Foundation

/// The commit in flight: at most one, started by a flush as its own task, and settled by the run loop before the
/// next flush, a rebalance or shutdown (or as soon as the loop sees it has finished).
final class CommitSlot: @unchecked Sendable {
    private var task: Task<CommitOutcome, Error>?
    private let done = AtomicFlag()
    /// The offset advances of the commit in flight, remembered as verified positions once it is durable.
    private var advances: [SourcePartition: OffsetAdvance] = [:]

    /// Whether a commit was started and not taken yet.
    var isOccupied: Bool { task != nil }

    /// Whether the commit in flight has ended (its outcome can be taken without waiting).
    var hasFinished: Bool { task != nil && done.value }

    /// Runs `commit` (a `CommitJob`'s `run` in `weir run`) as its own task; `advances` are the offsets it commits.
    /// The slot must be empty (`take()` first).
    func start(advances: [SourcePartition: OffsetAdvance], _ commit: @escaping @Sendable () async throws -> CommitOutcome) {
        precondition(task == nil, "one commit in flight at a time")
        self.advances = advances
        let done = self.done
        done.set(false)
        task = Task {
            defer { done.set(true) }
            return try await commit()
        }
    }

    /// Waits for the commit in flight and empties the slot: its outcome and offset advances, or nil when none.
    /// - Throws: what the commit threw (store, file system and source errors).
    func take() async throws -> (outcome: CommitOutcome, advances: [SourcePartition: OffsetAdvance])? {
        guard let task else { return nil }
        self.task = nil
        return (try await task.value, advances)
    }
}

/// A thread-safe boolean, set by the commit task when it ends and read by the run loop.
final class AtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = true

    var value: Bool { lock.withLock { _value } }
    func set(_ value: Bool) { lock.withLock { _value = value } }
}
