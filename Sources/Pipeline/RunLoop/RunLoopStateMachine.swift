/// The run loop's decisions, without I/O: when to handle a new assignment, when to flush and why, when a
/// batch-style run (`--until-idle`) asks the group for its progress, and when it exits.
///
/// `PipelineRunner` does the work (polling, evaluation, commits, rebalances) and reports each step as an event;
/// each event returns the action the runner takes next. Every event takes the current instant from the caller,
/// so the machine never reads a clock and is tested with made-up instants (`RunLoopStateMachineTests`).
///
/// Once, when the run starts: `started`. One iteration, in order: `nextIteration` → `polled` (a new assignment
/// generation ends the iteration after `assignmentHandled`) → `accepted` → `flushDecision` (a waited flush reports
/// back with `waitedFlushEnded`) → `iterationEnded` (with `.checkGroupProgress`: `groupProgress`, then a waited
/// `idle` flush). A flush that starts a commit reports `commitStarted`; applying its outcome, `commitSettled`, which
/// says whether the uncommitted work is dropped.
struct RunLoopStateMachine: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// Whether the loop polls again or stops (then the runner flushes with trigger `shutdown` and closes).
    enum IterationAction: Equatable { case poll, stop }

    /// What to do with a poll.
    enum PollAction: Equatable {
        /// The assignment changed since the last poll: drop uncommitted work, rewind to the store's offsets and
        /// scan the DLQ. With `settleCommitFirst`, a commit is in flight and must end first (a revocation waits
        /// for it; the commit is abandoned when its generation is gone).
        case handleAssignment(settleCommitFirst: Bool)
        /// Same assignment: take the poll's records.
        case takeRecords
    }

    /// What to do with the records a poll of the current assignment brought.
    enum RecordsAction: Equatable {
        case process
        case none
        /// No partition was ever assigned within the assignment timeout: the run fails.
        case failNoAssignment(within: Duration)
    }

    /// Whether the buffered work is handed to a commit now.
    enum FlushAction: Equatable {
        case none
        /// Hand the buffers to a commit that runs while the loop keeps polling.
        case flush(trigger: String)
        /// Hand the buffers to a commit and wait for its outcome (`waitedFlushEnded`).
        case flushAndWait(trigger: String)
    }

    /// What ends an iteration.
    enum EndAction: Equatable {
        case poll
        /// The record limit is reached: stop.
        case stop
        /// The idle window has passed: ask the group which partitions held by others are unread (`groupProgress`).
        case checkGroupProgress
    }

    /// The answer to a waited flush.
    enum AfterFlushAction: Equatable {
        case poll
        /// An idle run committed everything: exit. With `unreadElsewhere`, partitions other members hold still had
        /// records (they had their time without a rebalance): the runner warns.
        case exitIdle(unreadElsewhere: Bool)
    }

    /// How a commit ended.
    enum CommitEnd: Equatable { case durable, refused, abandoned }

    /// What follows a settled commit.
    enum SettledAction: Equatable {
        case none
        /// The store refused the commit: drop all uncommitted work (buffered and prefetched) and rewind to the
        /// store's offsets, so that it is read again.
        case dropUncommitted
    }

    /// Where the machine stands between events.
    enum Phase: Equatable {
        case polling
        /// Waiting for the commit of a drained source.
        case committingDrained
        /// Waiting for the group's progress after the idle window.
        case checkingGroup
        /// Waiting for the last commit before an idle exit.
        case committingToExit(unreadElsewhere: Bool)
        case exited
    }

    let policy: FlushPolicy
    /// Whether this is a batch-style run (`--until-idle`).
    var batchStyle: Bool { idle != nil }
    private(set) var phase = Phase.polling
    /// The assignment generation the loop works in; -1 before the first poll.
    private(set) var generation = -1
    /// Whether a commit handed off by a flush has not been settled yet.
    private(set) var commitInFlight = false
    private var idle: IdleExit?
    private var startedAt: Instant
    private let assignmentTimeout: Duration?
    private let stopAfterRecords: Int?
    /// Records taken from polls so far (records read again after a rewind count again).
    private var acceptedRecords = 0
    private var everAssigned = false

    init(policy: FlushPolicy, untilIdle: IdleExit?, assignmentTimeout: Duration?, stopAfterRecords: Int?, now: Instant) {
        self.policy = policy
        idle = untilIdle
        self.assignmentTimeout = assignmentTimeout
        self.stopAfterRecords = stopAfterRecords
        startedAt = now
    }

    /// The run starts (after recovery and the source's start): the assignment timeout and the idle window count
    /// from `now`.
    mutating func started(at now: Instant) {
        startedAt = now
        idle?.activity(at: now)
    }

    /// Before each poll. `stopRequested`: a stop request, a graceful shutdown or cancellation.
    func nextIteration(stopRequested: Bool) -> IterationAction {
        stopRequested || phase == .exited ? .stop : .poll
    }

    /// A poll arrived, made in assignment generation `generation`.
    mutating func polled(generation: Int) -> PollAction {
        guard generation != self.generation else { return .takeRecords }
        // Records of a poll that spans a rebalance may predate it: the runner drops them all and rewinds.
        self.generation = generation
        return .handleAssignment(settleCommitFirst: commitInFlight)
    }

    /// The new assignment is in place: the idle window starts again.
    mutating func assignmentHandled(at now: Instant) {
        idle?.activity(at: now)
    }

    /// The records of a poll that the partition tracker accepted (`count`), and whether any partition is assigned.
    mutating func accepted(count: Int, assigned: Bool, at now: Instant) -> RecordsAction {
        if !assigned {
            idle?.activity(at: now)  // idle time counts only while partitions are assigned
            if !everAssigned, let timeout = assignmentTimeout, now - startedAt > timeout { return .failNoAssignment(within: timeout) }
        } else {
            everAssigned = true
        }
        guard count > 0 else { return .none }
        acceptedRecords += count
        idle?.activity(at: now)
        return .process
    }

    /// After processing: whether to flush. `oldestBufferedAt` and `now` are read together (the buffer's age);
    /// `sourceQuiet`: the poll brought no record or the source said every assigned partition is read to its end.
    mutating func flushDecision(rows: Int, bytes: Int, oldestBufferedAt: Instant?, sourceQuiet: Bool,
                                at now: Instant) -> FlushAction {
        if let trigger = policy.trigger(rows: rows, bytes: bytes, age: oldestBufferedAt.map { now - $0 }) {
            return .flush(trigger: trigger)
        }
        // A run that stops after a number of records (`weir demo`) commits as soon as it has taken them all, instead
        // of waiting for the flush interval with nothing more to read.
        if let limit = stopAfterRecords, acceptedRecords >= limit, oldestBufferedAt != nil {
            return .flush(trigger: "limit")
        }
        // A batch-style run commits as soon as the source is drained (every partition read to its end, or an empty
        // poll), not only when it gives up waiting.
        if batchStyle, sourceQuiet, rows > 0 {
            phase = .committingDrained
            return .flushAndWait(trigger: "drained")
        }
        return .none
    }

    /// A flush handed work to a commit task.
    mutating func commitStarted() { commitInFlight = true }

    /// The commit in flight ended and its outcome was applied (`CommitScheduler.settle`). A refused commit drops all
    /// uncommitted work; an abandoned one needs nothing: the next poll reports the new assignment, which drops it.
    mutating func commitSettled(_ end: CommitEnd) -> SettledAction {
        commitInFlight = false
        return end == .refused ? .dropUncommitted : .none
    }

    /// A flush that waited for its commit returned: `durable` false when the commit was refused or abandoned (its
    /// records were rewound and are read again).
    mutating func waitedFlushEnded(durable: Bool, at now: Instant) -> AfterFlushAction {
        let phase = self.phase
        self.phase = .polling
        if case .committingToExit(let unreadElsewhere) = phase, durable {
            self.phase = .exited
            return .exitIdle(unreadElsewhere: unreadElsewhere)
        }
        // Refused and rewound: the records must be read again before the run may count as idle.
        if !durable { idle?.activity(at: now) }
        return .poll
    }

    /// The end of an iteration. `committedRecords`: records committed by this process so far; `sourceQuiet`: the
    /// poll brought no record to process.
    mutating func iterationEnded(committedRecords: Int, sourceQuiet: Bool, at now: Instant) -> EndAction {
        if let limit = stopAfterRecords, committedRecords >= limit {
            phase = .exited
            return .stop
        }
        guard sourceQuiet, idle?.isDue(at: now) == true else { return .poll }
        phase = .checkingGroup
        return .checkGroupProgress
    }

    /// The group's progress: whether partitions this member does not hold still have unread records.
    mutating func groupProgress(unreadElsewhere: Bool, at now: Instant) -> FlushAction {
        guard var idle else { return .none }
        defer { self.idle = idle }
        phase = .polling
        if unreadElsewhere && !idle.othersHadTheirTime(at: now) {
            idle.unreadFound(at: now)
            return .none
        }
        // Keep polling a little longer: a rebalance under way arrives with the next heartbeat.
        guard idle.confirmed(at: now) else { return .none }
        phase = .committingToExit(unreadElsewhere: unreadElsewhere)
        return .flushAndWait(trigger: "idle")
    }
}
