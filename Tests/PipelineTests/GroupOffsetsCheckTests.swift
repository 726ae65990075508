import Logging
import Testing
@testable import Pipeline

/// A new lake whose consumer group already committed offsets (for another lake) is told that the store, not the
/// group, decides where it reads, naming the group and the offsets it ignores. No Kafka, no disk.
@Suite struct GroupOffsetsCheckTests {
    let p0 = SourcePartition(topic: "pi2_events", partition: 0), p1 = SourcePartition(topic: "pi2_events", partition: 1)
    let p2 = SourcePartition(topic: "pi2_events", partition: 2)

    func makeCheck(_ answer: (group: String, offsets: [SourcePartition: Int64])?) -> (GroupOffsetsCheck, LogCapture) {
        let source = InMemoryRecordSource(values: [])
        source.groupCommittedAnswer = answer
        let capture = LogCapture()
        let logger = Logger(label: "weir.pipeline", factory: { _ in CapturingLogHandler(capture: capture) })
        return (GroupOffsetsCheck(source: source, logger: logger), capture)
    }

    @Test func committedOffsetsWithoutStoredOnesAreNamedOnce() async {
        let (check, log) = makeCheck((group: "shared", offsets: [p0: 5_000, p1: 4_800, p2: 0]))
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
        let (check, log) = makeCheck((group: "shared", offsets: [p0: 5_000, p1: 4_800]))
        let found = await check.check(assignment: [p0, p1], stored: [p0: StoredPosition(next: 5_000, fingerprint: nil)])
        #expect(found == [p1: 4_800])
        #expect(log.lines.count == 1 && !(log.lines.first ?? "").contains("pi2_events[0]"))
    }

    @Test func nothingIsSaidWithoutAGroupOrCommittedOffsets() async {
        let (noGroup, log1) = makeCheck(nil)
        #expect(await noGroup.check(assignment: [p0], stored: [:]).isEmpty)
        let (fresh, log2) = makeCheck((group: "new", offsets: [:]))
        #expect(await fresh.check(assignment: [p0], stored: [:]).isEmpty)
        #expect(log1.lines.isEmpty && log2.lines.isEmpty)
    }
}
