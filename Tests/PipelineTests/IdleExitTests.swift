import EventSchema
import Foundation
import Parquet
import Testing
import WeirTestSupport
@testable import Pipeline

/// `--until-idle` ends a run only when the whole topic is read (issue 16): quiet for the window while holding an
/// unchanged assignment, and no partition of another member left unread.
@Suite struct IdleExitTests {
    let p0 = SourcePartition(topic: "t", partition: 0)
    let p1 = SourcePartition(topic: "t", partition: 1)
    let p2 = SourcePartition(topic: "t", partition: 2)

    @Test func theWindowRestartsWithEveryActivity() {
        let t0 = ContinuousClock.now
        var idle = IdleExit(window: .seconds(5), now: t0)
        #expect(!idle.isDue(at: t0 + .seconds(4)))
        #expect(idle.isDue(at: t0 + .seconds(5)))
        idle.activity(at: t0 + .seconds(4))  // a record, a rebalance, or no assignment
        #expect(!idle.isDue(at: t0 + .seconds(8)))
        #expect(idle.isDue(at: t0 + .seconds(9)))
    }

    @Test func unreadPartitionsElsewhereAreRecheckedEverySecond() {
        let t0 = ContinuousClock.now
        var idle = IdleExit(window: .seconds(5), recheckInterval: .seconds(1), now: t0)
        idle.unreadFound(at: t0 + .seconds(5))
        #expect(!idle.isDue(at: t0 + .milliseconds(5_500)))
        #expect(idle.isDue(at: t0 + .seconds(6)), "the window still counts: only the recheck waits")
    }

    /// The exit condition must still hold `confirmation` later: a rebalance under way arrives in between.
    @Test func theExitIsConfirmedAfterAHeartbeatWithNoActivityInBetween() {
        let t0 = ContinuousClock.now
        var idle = IdleExit(window: .seconds(3), confirmation: .seconds(4), now: t0)
        #expect(idle.isDue(at: t0 + .seconds(3)))
        let first = idle.confirmed(at: t0 + .seconds(3))
        #expect(!first, "the first time only schedules the confirming check")
        #expect(!idle.isDue(at: t0 + .seconds(6)))
        #expect(idle.isDue(at: t0 + .seconds(7)))
        let second = idle.confirmed(at: t0 + .seconds(7))
        #expect(second)
        idle.activity(at: t0 + .seconds(8))  // the rebalance arrived: start over
        let afterRebalance = idle.confirmed(at: t0 + .seconds(11))
        #expect(!afterRebalance)
        var immediate = IdleExit(window: .seconds(3), now: t0)
        let noConfirmation = immediate.confirmed(at: t0 + .seconds(3))
        #expect(noConfirmation, "no confirmation asked")
    }

    @Test func unreadPartitionsElsewhereHoldTheExitBackOnlyUntilTheLimitWithoutARebalance() {
        let t0 = ContinuousClock.now
        var idle = IdleExit(window: .seconds(5), othersLimit: .seconds(60), now: t0)
        idle.unreadFound(at: t0 + .seconds(5))
        idle.unreadFound(at: t0 + .seconds(6))
        #expect(!idle.othersHadTheirTime(at: t0 + .seconds(64)))
        #expect(idle.othersHadTheirTime(at: t0 + .seconds(65)), "counted from the first time they were found")
        idle.activity(at: t0 + .seconds(70))  // a rebalance: the wait for others starts again
        idle.unreadFound(at: t0 + .seconds(75))
        #expect(!idle.othersHadTheirTime(at: t0 + .seconds(100)))
        #expect(!IdleExit(window: .seconds(5), now: t0).othersHadTheirTime(at: t0 + .seconds(1_000)), "no limit")
    }

    @Test func partitionsOfOtherMembersCountUntilTheGroupOrTheStoreHasReadThem() {
        let progress: [SourcePartition: GroupProgress] = [
            p0: GroupProgress(bounds: OffsetBounds(low: 0, high: 100), committed: 10),   // this member's
            p1: GroupProgress(bounds: OffsetBounds(low: 0, high: 100), committed: 60),   // a dead member's
            p2: GroupProgress(bounds: OffsetBounds(low: 0, high: 40), committed: nil),   // never committed
        ]
        #expect(IdleExit.unread(progress, stored: [:], assigned: [p0]) == [p1: 40, p2: 40])
        // The lake's store knows a commit whose Kafka offset commit failed.
        #expect(IdleExit.unread(progress, stored: [p1: 100], assigned: [p0]) == [p2: 40])
        // Retention deleted records below the first offset: nothing to read there.
        let trimmed = [p2: GroupProgress(bounds: OffsetBounds(low: 40, high: 40), committed: nil)]
        #expect(IdleExit.unread(trimmed, stored: [:], assigned: []) == [:])
        #expect(IdleExit.unread(progress, stored: [:], assigned: [p0, p1, p2]) == [:])
    }

    /// The runner does not exit while another member's partition is unread, however long it has been idle, and
    /// exits once that partition is read.
    @Test(.timeLimit(.minutes(10)))
    func aRunWaitsForThePartitionsOfAMemberThatDied() async throws {
        let h = try Harness("idle-group")
        defer { TestDirectories.remove(h.root) }
        let source = InMemoryRecordSource(values: PipelineRunnerTests.validEvents(10))
        let other = SourcePartition(topic: "pi2_events", partition: 1)
        let otherRead = LockedBox(false)
        source.groupProgressAnswer = {
            [other: GroupProgress(bounds: OffsetBounds(low: 0, high: 500), committed: otherRead.value ? 500 : 120)]
        }
        let committer = try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions())
        let runner = PipelineRunner(config: h.config, source: source, store: h.store, committer: committer,
                                    deadLetters: FileDeadLetterSink(),
                                    evaluator: RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: h.config),
                                    options: .init(untilIdle: .milliseconds(100)))
        let running = Task { try await runner.run() }
        // Idle windows pass and the group is asked again and again: the run must still be going.
        var asked = 0
        let deadline = ContinuousClock.now + .seconds(300)  // a safety net: a starved run took over 30 s for 3 checks
        while source.groupProgressQueries < 4 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        asked = source.groupProgressQueries
        #expect(asked >= 4, "the run never asked the group whether other partitions were read")
        #expect(runner.committedCounts.valid == 10, "its own partition is committed while it waits")
        otherRead.value = true
        try await running.value
        #expect(source.groupProgressQueries > asked)
        #expect(try h.store.storedOffsets([source.partition]) == [source.partition: 10])
    }

    /// A partition held by another member that stays unread (its member is alive and slow, or the partition ends
    /// in a transaction marker no consumer reads past) holds the exit back only for `unreadElsewhereLimit`.
    @Test(.timeLimit(.minutes(10)))
    func aRunExitsWhenNoRebalanceHandsTheUnreadPartitionsOver() async throws {
        let h = try Harness("idle-group-limit")
        defer { TestDirectories.remove(h.root) }
        let source = InMemoryRecordSource(values: PipelineRunnerTests.validEvents(10))
        let other = SourcePartition(topic: "pi2_events", partition: 1)
        source.groupProgressAnswer = { [other: GroupProgress(bounds: OffsetBounds(low: 0, high: 500), committed: 499)] }
        let committer = try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions())
        let runner = PipelineRunner(config: h.config, source: source, store: h.store, committer: committer,
                                    deadLetters: FileDeadLetterSink(),
                                    evaluator: RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: h.config),
                                    options: .init(untilIdle: .milliseconds(100), unreadElsewhereLimit: .seconds(2)))
        let started = ContinuousClock.now
        try await runner.run()
        #expect(ContinuousClock.now - started >= .seconds(2), "it waited for the other member's partition first")
        #expect(source.groupProgressQueries >= 2)
        #expect(runner.committedCounts.valid == 10)
    }
}
