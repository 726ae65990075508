import Logging

/// At an assignment: partitions the checkpoint store has no offset for while the consumer group has committed
/// offsets for them. The store decides where a lake reads (the source starts such partitions at
/// `auto.offset.reset`, the first record by default), so the group's offsets are ignored; this warning says so,
/// naming the group and its offsets, because the usual cause is a group id shared with another lake, and a reader
/// expecting the group's position would otherwise be surprised. Once per partition and process.
///
/// The group is asked again (every `pause`) until it answers, at least `minimumAttempts` times and until
/// `safetyNet` has passed since the first question (60 s by default, well inside `max.poll.interval.ms`); a group
/// that never answered is said in a warning of its own, naming the group, the brokers and the cause, so the check
/// is never skipped silently.
final class GroupOffsetsCheck: @unchecked Sendable {
    private let source: RecordSource
    private let logger: Logger
    private let safetyNet: Duration
    private let pause: Duration
    private var warned = Set<SourcePartition>()
    /// How many questions a group gets however fast the safety net passes (a starved process may see it pass
    /// during the first one).
    static let minimumAttempts = 3

    /// - Parameters:
    ///   - safetyNet: how long to keep asking a group that does not answer; default 60 s.
    ///   - pause: the wait between two questions; default 1 s.
    init(source: RecordSource, logger: Logger, safetyNet: Duration = .seconds(60), pause: Duration = .seconds(1)) {
        self.source = source
        self.logger = logger
        self.safetyNet = safetyNet
        self.pause = pause
    }

    /// Warns about the partitions of `assignment` with no stored position (`stored`) whose group committed offsets
    /// past 0. Returns those offsets (empty when there is nothing to say, the source has no group, or the group did
    /// not answer within the safety net, which is warned about).
    @discardableResult
    func check(assignment: [SourcePartition], stored: [SourcePartition: StoredPosition]) async -> [SourcePartition: Int64] {
        let unstored = assignment.filter { stored[$0] == nil && !warned.contains($0) }
        guard !unstored.isEmpty, let (group, committed) = await ask(unstored) else { return [:] }
        let ignored = committed.filter { unstored.contains($0.key) && $0.value > 0 }
        guard !ignored.isEmpty else { return [:] }
        warned.formUnion(ignored.keys)
        logger.warning("\(Self.message(group: group, ignored: ignored))", metadata: [
            "group": "\(group)", "committed": "\(Self.describe(ignored))"])
        return ignored
    }

    /// The group's answer for `partitions`, asked until it comes or the safety net passes; nil without a group or
    /// without an answer (then warned about).
    private func ask(_ partitions: [SourcePartition]) async -> (group: String, offsets: [SourcePartition: Int64])? {
        let clock = ContinuousClock()
        let deadline = clock.now + safetyNet
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await source.groupCommitted(partitions)
            } catch {
                guard attempts < Self.minimumAttempts || clock.now + pause < deadline else {
                    logger.warning("\(Self.unanswered(error, partitions: partitions, attempts: attempts, safetyNet: safetyNet))",
                                   metadata: ["partitions": "\(partitions.sorted().map(\.description))"])
                    return nil
                }
                try? await clock.sleep(for: pause)
            }
        }
    }

    /// The warning for a group that never answered: the cause, what was not checked, and what to look at.
    static func unanswered(_ error: any Error, partitions: [SourcePartition], attempts: Int, safetyNet: Duration) -> String {
        let names = partitions.sorted().map(\.description).joined(separator: ", ")
        return "\(error) (asked \(attempts) times in \(safetyNet.components.seconds) s): whether the group has committed offsets for "
            + "\(names) that this lake's checkpoint store does not have was not checked; the store still decides where "
            + "these partitions start (check the brokers and the group coordinator, e.g. kafka-consumer-groups --describe)"
    }

    /// `partition=offset`, in partition order.
    static func describe(_ offsets: [SourcePartition: Int64]) -> String {
        offsets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// The warning: what was found, what Weir does instead, and the fix.
    static func message(group: String, ignored: [SourcePartition: Int64]) -> String {
        let partitions = ignored.keys.sorted().map(\.description).joined(separator: ", ")
        return "consumer group \(group) has committed offsets (\(describe(ignored))) for \(partitions), but this lake's "
            + "checkpoint store has none: the store decides where a lake reads, so these partitions start at "
            + "auto.offset.reset (the first record by default) and the group's offsets are ignored, then overwritten "
            + "by this lake's commits (fix: give each lake a consumer group of its own, kafka.group_id or --group-id; "
            + "the group's offsets only feed lag tools)"
    }
}
