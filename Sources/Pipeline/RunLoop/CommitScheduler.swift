import Foundation

/// Commit scheduling: hands the buffered work and the partitions' progress to a commit that runs while the loop
/// keeps processing, at most one at a time, and applies each commit's outcome to the bookkeeping (the partition
/// tracker, the dedup window, the run's totals); drops the uncommitted work when a commit is refused or the
/// assignment changes, and says where to rewind.
///
/// It decides nothing: `RunLoopStateMachine` says when to flush and what a settled commit means, and
/// `PipelineRunner` does the I/O (seeks, store reads). The commit itself comes from `makeCommit` (a `CommitJob` in
/// `weir run`), so the tests run the scheduler with commits that end when they say (`CommitSchedulerTests`).
final class CommitScheduler: @unchecked Sendable {
    /// What one commit covers.
    struct Request: Sendable {
        let work: PendingWork
        /// The offsets it commits (compare-and-set against the store's).
        let advances: [SourcePartition: OffsetAdvance]
        /// Partitions whose DLQ scan mark may move to the DLQ's high watermark after this commit's delivery.
        let markPartitions: [SourcePartition]
        /// The assignment generation the work was read in: the commit is abandoned if it changed.
        let generation: Int
        /// Why the flush happened (`CommitReport.trigger`).
        let trigger: String
    }

    /// How a settled commit ended.
    enum Settlement: Sendable {
        /// Durable: its report, and the offsets it committed (now verified positions).
        case committed(CommitReport, advances: [SourcePartition: OffsetAdvance])
        /// Refused by the store; `reason` says why.
        case refused(reason: String)
        /// Not attempted: the assignment changed after its work was read.
        case abandoned

        /// The settlement as `RunLoopStateMachine.commitSettled` takes it.
        var end: RunLoopStateMachine.CommitEnd {
            switch self {
            case .committed: .durable
            case .refused: .refused
            case .abandoned: .abandoned
            }
        }
    }

    private let buffer: UncommittedBuffer
    private let makeCommit: (Request) -> @Sendable () async throws -> CommitOutcome
    private let now: () -> ContinuousClock.Instant
    private let slot = CommitSlot()
    /// Which offsets are processed, handed off and committed, per assigned partition.
    var tracker = PartitionTracker()
    /// Totals of this process's durable commits, behind a lock: a run's watchers read them while it goes.
    private let totals = Guarded(CommittedTotals())
    var committedCounts: BatchCounts { totals.withLock { $0.counts } }
    var filesWritten: Int { totals.withLock { $0.files } }
    var bytesWritten: Int64 { totals.withLock { $0.bytes } }
    var lastCommitAt: ContinuousClock.Instant? { totals.withLock { $0.lastCommitAt } }

    /// - Parameters:
    ///   - buffer: the uncommitted work (`MicroBatchProcessor`).
    ///   - makeCommit: turns a request into the commit to run (its own task).
    ///   - now: the clock of `lastCommitAt`.
    init(buffer: UncommittedBuffer, makeCommit: @escaping (Request) -> @Sendable () async throws -> CommitOutcome,
         now: @escaping () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.buffer = buffer
        self.makeCommit = makeCommit
        self.now = now
    }

    /// Whether a commit is in flight (started and not settled).
    var hasCommitInFlight: Bool { slot.isOccupied }

    /// Whether the commit in flight has ended, so `settle()` will not wait.
    var commitHasFinished: Bool { slot.hasFinished }

    /// Hands everything processed since the last hand-off to a commit, in assignment generation `generation`.
    /// Returns false, starting nothing, when nothing was processed. Settle the previous commit first.
    func start(trigger: String, generation: Int) -> Bool {
        guard tracker.hasProgress else { return false }
        let advances = tracker.advances
        // A partition's DLQ scan mark may only move past DLQ records whose source records are committed:
        // records found by the recovery scan but not yet covered by this commit keep the old mark.
        let markPartitions = tracker.assigned.filter { p in
            !buffer.hasAlreadyDeadLettered(p, atOrAfter: advances[p]?.next ?? tracker.storedOffset(p) ?? 0)
        }
        let request = Request(work: buffer.takeWork(), advances: advances, markPartitions: markPartitions,
                              generation: generation, trigger: trigger)
        tracker.handOff()
        slot.start(advances: advances, makeCommit(request))
        return true
    }

    /// Waits for the commit in flight and applies its outcome; nil when none is in flight. A durable commit moves the
    /// tracker's stored offsets and the totals; a refused one remembers the DLQ records it delivered, so that the
    /// retry does not send them again (drop the uncommitted work next: `dropUncommitted`).
    /// - Throws: what the commit threw (store, file system and source errors).
    func settle() async throws -> Settlement? {
        guard let (outcome, advances) = try await slot.take() else { return nil }
        buffer.finishCommit()
        switch outcome {
        case .committed(let report):
            tracker.didCommit()
            let committedAt = now()
            totals.withLock { t in
                t.counts.add(report.counts)
                t.files += report.files.count
                t.bytes += report.files.reduce(0) { $0 + $1.bytes }
                t.lastCommitAt = committedAt
            }
            return .committed(report, advances: advances)
        case .refused(let reason, let delivered):
            buffer.alreadyDeadLettered.formUnion(delivered)
            return .refused(reason: reason)
        case .abandoned:
            return .abandoned
        }
    }

    /// Drops all uncommitted work after a refused commit. `stored`: the store's offsets of the assigned partitions,
    /// read again; `discarded`: the prefetched poll that was thrown away unprocessed. Returns where to rewind.
    func dropUncommitted(stored: [SourcePartition: Int64], discarded: [SourceRecord]) -> [SourcePartition: Int64] {
        buffer.reset()
        let rolledBack = tracker.rollback(refreshed: stored)
        return RewindTargets.afterRefusal(rolledBack: rolledBack, discarded: discarded, stored: stored, tracker: tracker)
    }

    /// A new assignment (`poll.assignment`, whose store offsets are `stored`): drops all uncommitted work and tracks
    /// the assigned partitions from the store's offsets. Settle the commit in flight first. Returns where to rewind.
    func reassign(_ poll: SourcePoll, stored: [SourcePartition: Int64]) -> [SourcePartition: Int64] {
        buffer.reset()
        // Where the dropped uncommitted work of earlier polls began: with nothing stored, rewinding only to this
        // poll's first record would skip the records processed (and now dropped) before it.
        let dropped = tracker.rollback(refreshed: stored)
        tracker.assign(poll.assignment, stored: stored)
        return RewindTargets.afterAssignment(poll, stored: stored, dropped: dropped)
    }
}

/// The uncommitted work a `CommitScheduler` hands to commits: `MicroBatchProcessor` in `weir run`.
protocol UncommittedBuffer: AnyObject {
    /// Moves the buffered work out; its dedup keys stay duplicates until `finishCommit()`.
    func takeWork() -> PendingWork
    /// The commit of the work taken last ended.
    func finishCommit()
    /// Forgets all uncommitted work.
    func reset()
    /// Source records already in the DLQ (not to be sent again).
    var alreadyDeadLettered: Set<SourceCoordinate> { get set }
    /// Whether `alreadyDeadLettered` holds records of `partition` at or past `offset`.
    func hasAlreadyDeadLettered(_ partition: SourcePartition, atOrAfter offset: Int64) -> Bool
}

extension MicroBatchProcessor: UncommittedBuffer {}

/// What `CommitScheduler` counts of the durable commits.
private struct CommittedTotals {
    var counts = BatchCounts()
    var files = 0
    var bytes: Int64 = 0
    var lastCommitAt: ContinuousClock.Instant?
}
