import Testing
@testable import Pipeline

/// The run loop's decisions (issue 17), driven event by event with made-up instants: no Kafka, no disk, no sleeping.
@Suite struct RunLoopStateMachineTests {
    let t0 = ContinuousClock.now
    let policy = FlushPolicy(maxRows: 100, maxBytes: 10_000, interval: .seconds(5))

    func machine(untilIdle: Duration? = nil, confirmation: Duration = .zero, othersLimit: Duration? = nil,
                 assignmentTimeout: Duration? = nil, stopAfterRecords: Int? = nil) -> RunLoopStateMachine {
        let idle = untilIdle.map { IdleExit(window: $0, othersLimit: othersLimit, confirmation: confirmation, now: t0) }
        return RunLoopStateMachine(policy: policy, untilIdle: idle, assignmentTimeout: assignmentTimeout,
                                   stopAfterRecords: stopAfterRecords, now: t0)
    }

    /// A running machine that has taken assignment generation 1 at `t0`.
    func assigned(untilIdle: Duration? = nil, confirmation: Duration = .zero,
                  othersLimit: Duration? = nil) -> RunLoopStateMachine {
        var m = machine(untilIdle: untilIdle, confirmation: confirmation, othersLimit: othersLimit)
        #expect(m.polled(generation: 1) == .handleAssignment(settleCommitFirst: false))
        m.assignmentHandled(at: t0)
        return m
    }

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int64(seconds * 1000)) }

    // MARK: flush triggers

    @Test func flushesOnRowsBytesAndInterval() {
        var m = assigned()
        #expect(m.polled(generation: 1) == .takeRecords)
        #expect(m.accepted(count: 10, assigned: true, at: at(1)) == .process)
        #expect(m.flushDecision(rows: 99, bytes: 9_999, oldestBufferedAt: at(1), sourceQuiet: false, at: at(5.9)) == .none)
        #expect(m.flushDecision(rows: 100, bytes: 0, oldestBufferedAt: at(1), sourceQuiet: false, at: at(1)) == .flush(trigger: "rows"))
        #expect(m.flushDecision(rows: 1, bytes: 10_000, oldestBufferedAt: at(1), sourceQuiet: false, at: at(1)) == .flush(trigger: "bytes"))
        #expect(m.flushDecision(rows: 1, bytes: 1, oldestBufferedAt: at(1), sourceQuiet: false, at: at(6)) == .flush(trigger: "interval"))
        #expect(m.flushDecision(rows: 0, bytes: 0, oldestBufferedAt: nil, sourceQuiet: true, at: at(100)) == .none,
                "nothing buffered: no interval flush, and a streaming run does not flush a drained source")
    }

    @Test func aStreamingRunDoesNotCommitWhenTheSourceIsDrained() {
        var m = assigned()
        #expect(m.flushDecision(rows: 5, bytes: 50, oldestBufferedAt: at(1), sourceQuiet: true, at: at(2)) == .none)
    }

    @Test func aBatchStyleRunCommitsAsSoonAsTheSourceIsDrained() {
        var m = assigned(untilIdle: .seconds(10))
        #expect(m.flushDecision(rows: 5, bytes: 50, oldestBufferedAt: at(1), sourceQuiet: false, at: at(2)) == .none,
                "records still arriving")
        #expect(m.flushDecision(rows: 5, bytes: 50, oldestBufferedAt: at(1), sourceQuiet: true, at: at(2))
                == .flushAndWait(trigger: "drained"))
        #expect(m.phase == .committingDrained)
        #expect(m.waitedFlushEnded(durable: true, at: at(2)) == .poll)
        #expect(m.phase == .polling)
        #expect(m.flushDecision(rows: 0, bytes: 0, oldestBufferedAt: nil, sourceQuiet: true, at: at(3)) == .none,
                "nothing left to commit")
        #expect(m.flushDecision(rows: 100, bytes: 50, oldestBufferedAt: at(1), sourceQuiet: true, at: at(2))
                == .flush(trigger: "rows"), "the flush policy comes first")
    }

    // MARK: assignments and commits

    @Test func aRevocationDuringACommitWaitsForIt() {
        var m = assigned(untilIdle: .seconds(10))
        #expect(m.flushDecision(rows: 100, bytes: 0, oldestBufferedAt: at(1), sourceQuiet: false, at: at(1)) == .flush(trigger: "rows"))
        m.commitStarted()
        #expect(m.commitInFlight)
        #expect(m.generation == 1, "the commit's work was read in generation 1")
        #expect(m.polled(generation: 2) == .handleAssignment(settleCommitFirst: true))
        #expect(m.generation == 2)
        #expect(m.commitSettled(.abandoned) == .none, "abandoned: the new assignment drops the work")
        m.assignmentHandled(at: at(8))
        #expect(!m.commitInFlight)
        #expect(m.polled(generation: 2) == .takeRecords, "the same generation is handled once")
        #expect(m.accepted(count: 0, assigned: true, at: at(9)) == .none)
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(17.9)) == .poll,
                "the rebalance restarted the idle window")
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(18)) == .checkGroupProgress)
    }

    @Test func aNewAssignmentWithoutACommitInFlightIsHandledAtOnce() {
        var m = assigned()
        #expect(m.polled(generation: 3) == .handleAssignment(settleCommitFirst: false))
    }

    @Test func failsWhenNothingIsAssignedInTime() {
        var m = machine(assignmentTimeout: .seconds(30))
        #expect(m.polled(generation: 0) == .handleAssignment(settleCommitFirst: false))
        #expect(m.accepted(count: 0, assigned: false, at: at(30)) == .none)
        #expect(m.accepted(count: 0, assigned: false, at: at(31)) == .failNoAssignment(within: .seconds(30)))
        var later = machine(assignmentTimeout: .seconds(30))
        #expect(later.accepted(count: 0, assigned: true, at: at(1)) == .none)
        #expect(later.accepted(count: 0, assigned: false, at: at(100)) == .none, "once assigned, a revocation is no failure")
    }

    @Test func theTimeoutAndTheIdleWindowCountFromTheStart() {
        var m = machine(untilIdle: .seconds(5), assignmentTimeout: .seconds(30))
        m.started(at: at(20))  // after recovery and the source's start
        #expect(m.accepted(count: 0, assigned: false, at: at(50)) == .none)
        #expect(m.accepted(count: 0, assigned: false, at: at(51)) == .failNoAssignment(within: .seconds(30)))
        var idle = machine(untilIdle: .seconds(5))
        idle.started(at: at(20))
        #expect(idle.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(24.9)) == .poll)
        #expect(idle.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(25)) == .checkGroupProgress)
    }

    @Test func stopsAtTheRecordLimitAndOnRequest() {
        var m = machine(stopAfterRecords: 50)
        #expect(m.nextIteration(stopRequested: false) == .poll)
        #expect(m.nextIteration(stopRequested: true) == .stop)
        #expect(m.iterationEnded(committedRecords: 49, sourceQuiet: false, at: at(1)) == .poll)
        #expect(m.iterationEnded(committedRecords: 50, sourceQuiet: false, at: at(1)) == .stop)
        #expect(m.nextIteration(stopRequested: false) == .stop)
    }

    @Test func aRunWithARecordLimitCommitsOnceItHasTakenThemAll() {
        var m = machine(stopAfterRecords: 50)
        #expect(m.polled(generation: 1) == .handleAssignment(settleCommitFirst: false))
        m.assignmentHandled(at: t0)
        #expect(m.accepted(count: 30, assigned: true, at: at(1)) == .process)
        #expect(m.flushDecision(rows: 30, bytes: 300, oldestBufferedAt: at(1), sourceQuiet: true, at: at(1)) == .none,
                "20 records still to come: wait for them (or the interval)")
        #expect(m.accepted(count: 20, assigned: true, at: at(2)) == .process)
        #expect(m.flushDecision(rows: 45, bytes: 450, oldestBufferedAt: at(1), sourceQuiet: false, at: at(2)) == .flush(trigger: "limit"))
        #expect(m.flushDecision(rows: 0, bytes: 0, oldestBufferedAt: at(1), sourceQuiet: false, at: at(2)) == .flush(trigger: "limit"),
                "records that all went to the DLQ are work to commit too")
        #expect(m.flushDecision(rows: 0, bytes: 0, oldestBufferedAt: nil, sourceQuiet: true, at: at(3)) == .none, "nothing uncommitted")
    }

    // MARK: idle exit

    @Test func anIdleRunExitsAfterTheWindowAndItsConfirmation() {
        var m = assigned(untilIdle: .seconds(5), confirmation: .seconds(4))
        #expect(m.accepted(count: 3, assigned: true, at: at(1)) == .process)
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: false, at: at(1)) == .poll)
        #expect(m.accepted(count: 0, assigned: true, at: at(5.9)) == .none)
        #expect(m.iterationEnded(committedRecords: 3, sourceQuiet: true, at: at(5.9)) == .poll, "quiet for 4.9 s only")
        #expect(m.iterationEnded(committedRecords: 3, sourceQuiet: true, at: at(6)) == .checkGroupProgress)
        #expect(m.groupProgress(unreadElsewhere: false, at: at(6)) == .none, "the first time only starts the confirmation")
        #expect(m.iterationEnded(committedRecords: 3, sourceQuiet: true, at: at(9.9)) == .poll)
        #expect(m.iterationEnded(committedRecords: 3, sourceQuiet: true, at: at(10)) == .checkGroupProgress)
        #expect(m.groupProgress(unreadElsewhere: false, at: at(10)) == .flushAndWait(trigger: "idle"))
        #expect(m.waitedFlushEnded(durable: true, at: at(10)) == .exitIdle(unreadElsewhere: false))
        #expect(m.nextIteration(stopRequested: false) == .stop)
    }

    @Test func aRecordDuringTheConfirmationKeepsTheRunGoing() {
        var m = assigned(untilIdle: .seconds(5), confirmation: .seconds(4))
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(5)) == .checkGroupProgress)
        #expect(m.groupProgress(unreadElsewhere: false, at: at(5)) == .none)
        #expect(m.accepted(count: 1, assigned: true, at: at(7)) == .process)
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(11.9)) == .poll, "the window restarted at 7 s")
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(12)) == .checkGroupProgress)
        #expect(m.groupProgress(unreadElsewhere: false, at: at(12)) == .none, "and the confirmation with it")
    }

    @Test func aRefusedCommitDropsTheUncommittedWorkAndADurableOneDoesNot() {
        var m = assigned()
        m.commitStarted()
        #expect(m.commitSettled(.refused) == .dropUncommitted)
        #expect(!m.commitInFlight)
        m.commitStarted()
        #expect(m.commitSettled(.durable) == .none)
        #expect(!m.commitInFlight)
    }

    @Test func aRefusedDrainedCommitIsReadAgainBeforeAnIdleExit() {
        var m = assigned(untilIdle: .seconds(5))
        #expect(m.flushDecision(rows: 5, bytes: 50, oldestBufferedAt: at(1), sourceQuiet: true, at: at(1))
                == .flushAndWait(trigger: "drained"))
        #expect(m.waitedFlushEnded(durable: false, at: at(2)) == .poll, "refused: the records were rewound")
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(6.9)) == .poll,
                "the idle window restarted at the refusal")
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(7)) == .checkGroupProgress)
    }

    @Test func aRefusedIdleCommitDoesNotExit() {
        var m = assigned(untilIdle: .seconds(5))
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(5)) == .checkGroupProgress)
        #expect(m.groupProgress(unreadElsewhere: false, at: at(5)) == .flushAndWait(trigger: "idle"))
        #expect(m.waitedFlushEnded(durable: false, at: at(5)) == .poll)
        #expect(m.nextIteration(stopRequested: false) == .poll)
        #expect(m.accepted(count: 5, assigned: true, at: at(6)) == .process, "the rewound records are read again")
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(10.9)) == .poll)
        #expect(m.iterationEnded(committedRecords: 5, sourceQuiet: true, at: at(11)) == .checkGroupProgress)
        #expect(m.groupProgress(unreadElsewhere: false, at: at(11)) == .flushAndWait(trigger: "idle"))
        #expect(m.waitedFlushEnded(durable: true, at: at(11)) == .exitIdle(unreadElsewhere: false))
    }

    @Test func partitionsUnreadElsewhereHoldTheExitBackForTheirLimit() {
        var m = assigned(untilIdle: .seconds(5), othersLimit: .seconds(60))
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(5)) == .checkGroupProgress)
        #expect(m.groupProgress(unreadElsewhere: true, at: at(5)) == .none)
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(5.5)) == .poll, "rechecked every second")
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(6)) == .checkGroupProgress)
        #expect(m.groupProgress(unreadElsewhere: true, at: at(6)) == .none)
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(65)) == .checkGroupProgress)
        #expect(m.groupProgress(unreadElsewhere: true, at: at(65)) == .flushAndWait(trigger: "idle"),
                "no rebalance handed them over in 60 s: their members are alive")
        #expect(m.waitedFlushEnded(durable: true, at: at(65)) == .exitIdle(unreadElsewhere: true))
    }

    @Test func idleTimeCountsOnlyWhileAssigned() {
        var m = assigned(untilIdle: .seconds(5))
        #expect(m.accepted(count: 0, assigned: false, at: at(4)) == .none)
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(8.9)) == .poll)
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(9)) == .checkGroupProgress)
    }

    @Test func aStreamingRunNeverChecksForIdle() {
        var m = assigned()
        #expect(m.iterationEnded(committedRecords: 0, sourceQuiet: true, at: at(1_000_000)) == .poll)
    }
}
