/// When a run with `--until-idle` ends.
///
/// The run ends when all of these hold:
/// - it has held a non-empty assignment, unchanged (no rebalance), for the whole idle window, and no record
///   arrived in that window (so every assigned partition is read to its end);
/// - every other partition of the topic is read too: its records up to the high watermark are committed by the
///   group (Kafka's committed offset) or in the lake's checkpoint store. Records of a member that died, whose
///   partitions the group has not handed over yet, keep the run going until another member (this one or not) has
///   read them. That wait is bounded by `othersLimit` without a rebalance: a dead member is evicted after the
///   session timeout and its partitions handed over (a rebalance, which restarts the window); when none comes, the
///   members holding those partitions are alive and read them themselves (or the partition ends in records no
///   member can read past, such as a transaction's commit marker);
/// - all of the above still holds `confirmation` later, with no record and no rebalance in between: a rebalance
///   the coordinator has started (another member left) reaches this member only with its next heartbeat, and a
///   run must not leave in the middle of one;
/// - everything buffered is committed (the caller's final flush).
///
/// Pure state: the caller passes the time, so it is tested with made-up instants.
public struct IdleExit: Sendable {
    /// How long the run must be quiet (`--until-idle`).
    public let window: Duration
    /// How soon the group is asked again when other partitions are still unread.
    public let recheckInterval: Duration
    /// How long unread partitions of other members hold the exit back without a rebalance; nil: no limit.
    public let othersLimit: Duration?
    private var quietSince: ContinuousClock.Instant
    private var nextCheck: ContinuousClock.Instant?
    private var unreadSince: ContinuousClock.Instant?
    /// How long the exit condition must keep holding before the run ends (longer than a heartbeat interval).
    public let confirmation: Duration
    private var doneSince: ContinuousClock.Instant?

    public init(window: Duration, recheckInterval: Duration = .seconds(1), othersLimit: Duration? = nil,
                confirmation: Duration = .zero, now: ContinuousClock.Instant) {
        self.window = window
        self.recheckInterval = recheckInterval
        self.othersLimit = othersLimit
        self.confirmation = confirmation
        quietSince = now
    }

    /// Records arrived, the assignment changed, or nothing is assigned: the idle window starts again.
    public mutating func activity(at now: ContinuousClock.Instant) {
        quietSince = now
        nextCheck = nil
        unreadSince = nil
        doneSince = nil
    }

    /// Whether the run has been quiet for the whole window and the group's progress should be checked now.
    public func isDue(at now: ContinuousClock.Instant) -> Bool {
        now - quietSince >= window && nextCheck.map { now >= $0 } ?? true
    }

    /// Other partitions were unread: ask again after `recheckInterval` (the window keeps counting).
    public mutating func unreadFound(at now: ContinuousClock.Instant) {
        nextCheck = now + recheckInterval
        if unreadSince == nil { unreadSince = now }
        doneSince = nil
    }

    /// The exit condition holds now: whether it has held for `confirmation` (the run may end). The first time,
    /// schedules the confirming check.
    public mutating func confirmed(at now: ContinuousClock.Instant) -> Bool {
        guard let doneSince else {
            doneSince = now
            nextCheck = now + confirmation
            return confirmation == .zero
        }
        return now - doneSince >= confirmation
    }

    /// Whether unread partitions of other members have held the exit back for `othersLimit` with no rebalance:
    /// the run may end, leaving them to the members that hold them.
    public func othersHadTheirTime(at now: ContinuousClock.Instant) -> Bool {
        guard let othersLimit, let unreadSince else { return false }
        return now - unreadSince >= othersLimit
    }

    /// Partitions not assigned to this member whose records nobody has read, with how many records each.
    ///
    /// - Parameters:
    ///   - progress: every partition of the topic with its watermarks and the group's committed offset.
    ///   - stored: the checkpoint store's next offsets (a lake shared by the group's members knows their commits
    ///     even when a Kafka offset commit failed).
    ///   - assigned: this member's partitions; the run loop itself knows when those are read to their end.
    public static func unread(_ progress: [SourcePartition: GroupProgress], stored: [SourcePartition: Int64],
                              assigned: Set<SourcePartition>) -> [SourcePartition: Int64] {
        var out: [SourcePartition: Int64] = [:]
        for (partition, p) in progress where !assigned.contains(partition) {
            let read = max(p.committed ?? p.bounds.low, stored[partition] ?? p.bounds.low, p.bounds.low)
            if p.bounds.high > read { out[partition] = p.bounds.high - read }
        }
        return out
    }
}
