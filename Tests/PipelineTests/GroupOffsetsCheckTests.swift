import Logging
import Testing
@testable import Pipeline

/// A new lake whose consumer group already committed offsets (for another lake) is told that the store, not the
/// group, decides where it reads, naming the group and the offsets it ignores. No Kafka, no disk.
@Suite struct GroupOffsetsCheckTests {
    let p0 = SourcePartition(topic: "pi2_events", partition: 0), p1 = SourcePartition(topic: "pi2_events", partition: 1)
    let p2 = SourcePartition(topic: "pi2_events", partition: 2)

    func makeCheck(_ answer: (group: String, offsets: [SourcePartition: Int64])?, failures: Int = 0,
                   safetyNet: Duration = .seconds(60)) -> (GroupOffsetsCheck, LogCapture, InMemoryRecordSource) {
        let source = InMemoryRecordSource(values: [])
        source.groupCommittedAnswer = answer
        source.groupCommittedFailures = failures
        let capture = LogCapture()
        let logger = Logger(label: "weir.pipeline", factory: { _ in CapturingLogHandler(capture: capture) })
        return (GroupOffsetsCheck(source: source, logger: logger, safetyNet: safetyNet, pause: .milliseconds(1)), capture, source)
    }

    /// A group coordinator slow to answer (the query timed out twice) is asked again: the check is made. (With a
    /// safety net of 0 s: the minimum number of questions does not depend on how fast the clock runs.)
    @Test func aGroupThatAnswersLateIsAskedAgain() async {
        let (check, log, source) = makeCheck((group: "shared", offsets: [p0: 5_000]), failures: 2, safetyNet: .zero)
        #expect(await check.check(assignment: [p0], stored: [:]) == [p0: 5_000])
        #expect(source.groupCommittedQuestions == 3)
        #expect(log.lines.count == 1 && (log.lines.first ?? "").contains("consumer group shared has committed offsets"), "\(log.lines)")
    }

    /// A group that never answers within the safety net is not a silent pass: a warning names the group, the
    /// brokers, the cause and what was not checked; the next assignment asks again.
    @Test func aGroupThatNeverAnswersIsSaidLoudly() async {
        let (check, log, source) = makeCheck((group: "shared", offsets: [p0: 5_000]), failures: 1_000_000, safetyNet: .milliseconds(50))
        #expect(await check.check(assignment: [p0, p1], stored: [:]).isEmpty)
        #expect(source.groupCommittedQuestions >= GroupOffsetsCheck.minimumAttempts, "asked \(source.groupCommittedQuestions) times")
        let line = log.lines.first ?? ""
        #expect(log.lines.count == 1 && line.hasPrefix("warning the committed offsets of consumer group shared could not be read "
            + "from in-memory: Local: Timed out (asked "), "\(log.lines)")
        #expect(line.contains("pi2_events[0], pi2_events[1] that this lake's checkpoint store does not have was not checked"), "\(line)")
        source.groupCommittedFailures = 0
        #expect(await check.check(assignment: [p0, p1], stored: [:]) == [p0: 5_000])
    }

    @Test func committedOffsetsWithoutStoredOnesAreNamedOnce() async {
        let (check, log, _) = makeCheck((group: "shared", offsets: [p0: 5_000, p1: 4_800, p2: 0]))
        let found = await check.check(assignment: [p0, p1, p2], stored: [:])
        #expect(found == [p0: 5_000, p1: 4_800], "an offset of 0 is where the store starts anyway")
        #expect(log.lines.count == 1)
        let line = log.lines.first ?? ""
        #expect(line.hasPrefix("warning consumer group shared has committed offsets (pi2_events[0]=5000, pi2_events[1]=4800) "
            + "for pi2_events[0], pi2_events[1], but this lake's checkpoint store has none"), "\(line)")
        #expect(line.contains("fix: give each lake a consumer group of its own, kafka.group_id or --group-id"), "\(line)")
        // A rebalance before the first commit assigns the same partitions again: said once.
        #expect(await check.check(assignment: [p0, p1, p2], stored: [:]).isEmpty)
        #expect(log.lines.count == 1)
    }

    @Test func partitionsTheStoreKnowsAreNotTheGroupsBusiness() async {
        let (check, log, _) = makeCheck((group: "shared", offsets: [p0: 5_000, p1: 4_800]))
        let found = await check.check(assignment: [p0, p1], stored: [p0: StoredPosition(next: 5_000, fingerprint: nil)])
        #expect(found == [p1: 4_800])
        #expect(log.lines.count == 1 && !(log.lines.first ?? "").contains("pi2_events[0]"))
    }

    @Test func nothingIsSaidWithoutAGroupOrCommittedOffsets() async {
        let (noGroup, log1, _) = makeCheck(nil)
        #expect(await noGroup.check(assignment: [p0], stored: [:]).isEmpty)
        let (fresh, log2, _) = makeCheck((group: "new", offsets: [:]))
        #expect(await fresh.check(assignment: [p0], stored: [:]).isEmpty)
        #expect(log1.lines.isEmpty && log2.lines.isEmpty)
    }
}
