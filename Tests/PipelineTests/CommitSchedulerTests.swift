import Foundation
import Testing
@testable import Pipeline

/// Commit scheduling (issue 17): hand-off, one commit in flight, outcomes applied to the partition tracker, the
/// dedup window and the totals, and the rewinds after a refusal or a new assignment. Commits are closures that end
/// when the test says: no Kafka, no disk, no sleeping.
@Suite struct CommitSchedulerTests {
    static let p0 = SourcePartition(topic: "t", partition: 0), p1 = SourcePartition(topic: "t", partition: 1)
    let t0 = ContinuousClock.now

    /// The uncommitted work: counts what the scheduler asks of it.
    final class Buffer: UncommittedBuffer {
        var taken = 0, finished = 0, resets = 0
        var alreadyDeadLettered = Set<SourceCoordinate>()
        var counts = BatchCounts()

        func takeWork() -> PendingWork {
            taken += 1
            return PendingWork(buffers: [:], keys: [], deadLetters: [], counts: counts, sourceTimestampsMs: [], lastEventMicros: [:])
        }
        func finishCommit() { finished += 1 }
        func reset() { resets += 1 }
        func hasAlreadyDeadLettered(_ partition: SourcePartition, atOrAfter offset: Int64) -> Bool {
            alreadyDeadLettered.contains { $0.partition == partition.partition && $0.offset >= offset }
        }
    }

    /// A commit that waits until `finish` gives its outcome.
    final class PendingCommit: @unchecked Sendable {
        private let lock = NSLock()
        private var outcome: Result<CommitOutcome, Error>?
        private var waiter: CheckedContinuation<Result<CommitOutcome, Error>, Never>?

        func run() async throws -> CommitOutcome {
            try await withCheckedContinuation { c in
                let ready: Result<CommitOutcome, Error>? = lock.withLock {
                    if outcome == nil { waiter = c }
                    return outcome
                }
                if let ready { c.resume(returning: ready) }
            }.get()
        }

        func finish(_ result: Result<CommitOutcome, Error>) {
            let w: CheckedContinuation<Result<CommitOutcome, Error>, Never>? = lock.withLock {
                outcome = result
                defer { waiter = nil }
                return waiter
            }
            w?.resume(returning: result)
        }
    }

    /// The requests the scheduler made, each with its pending commit.
    final class Commits: @unchecked Sendable {
        var requests: [CommitScheduler.Request] = []
        var pending: [PendingCommit] = []

        func make(_ request: CommitScheduler.Request) -> @Sendable () async throws -> CommitOutcome {
            let commit = PendingCommit()
            requests.append(request)
            pending.append(commit)
            return { try await commit.run() }
        }
    }

    func scheduler(_ buffer: Buffer, _ commits: Commits) -> CommitScheduler {
        CommitScheduler(buffer: buffer, makeCommit: commits.make, now: { t0 + .seconds(42) })
    }

    func records(_ partition: Int32, _ offsets: ClosedRange<Int64>) -> [SourceRecord] {
        offsets.map { SourceRecord(topic: "t", partition: partition, offset: $0, key: nil, value: [1], timestampMs: nil) }
    }

    func report(valid: Int, fileBytes: Int64) -> CommitReport {
        var counts = BatchCounts()
        counts.total = valid
        counts.valid = valid
        return CommitReport(commitID: 1, counts: counts,
                            files: [StagedFile(stagingPath: "s", finalPath: "f.parquet", hivePartition: "date=2025-01-01", rows: Int64(valid), bytes: fileBytes)],
                            deadLetters: 0, offsets: [:], duration: .zero, phases: CommitPhases(), committedAtMicros: 0,
                            trigger: "rows", lastEventMicros: [:], sourceTimestampsMs: [])
    }

    @Test func nothingProcessedStartsNoCommit() async throws {
        let (buffer, commits) = (Buffer(), Commits())
        let s = scheduler(buffer, commits)
        _ = s.reassign(SourcePoll(records: [], assignmentGeneration: 1, assignment: [Self.p0]), stored: [Self.p0: 10])
        #expect(!s.start(trigger: "interval", generation: 1))
        #expect(commits.requests.isEmpty && buffer.taken == 0)
        #expect(try await s.settle() == nil)
    }

    @Test func aDurableCommitMovesTheStoredOffsetsAndTheTotals() async throws {
        let (buffer, commits) = (Buffer(), Commits())
        let s = scheduler(buffer, commits)
        _ = s.reassign(SourcePoll(records: [], assignmentGeneration: 3, assignment: [Self.p0, Self.p1]), stored: [Self.p0: 10])
        s.tracker.advance(over: records(0, 10...14) + records(1, 0...2))
        #expect(s.start(trigger: "rows", generation: 3))
        let request = try #require(commits.requests.first)
        #expect(request.generation == 3 && request.trigger == "rows" && buffer.taken == 1)
        #expect(request.advances[Self.p0]?.expected == 10 && request.advances[Self.p0]?.next == 15)
        #expect(request.advances[Self.p1]?.expected == nil && request.advances[Self.p1]?.next == 3)
        #expect(Set(request.markPartitions) == [Self.p0, Self.p1])
        #expect(s.hasCommitInFlight && !s.commitHasFinished)

        // Work processed while the commit runs belongs to the next commit.
        s.tracker.advance(over: records(0, 15...16))
        commits.pending[0].finish(.success(.committed(report(valid: 8, fileBytes: 700))))
        guard case .committed(_, let advances) = try await s.settle() else {
            Issue.record("expected a durable commit")
            return
        }
        #expect(advances == request.advances)
        #expect(buffer.finished == 1 && !s.hasCommitInFlight)
        #expect(s.tracker.storedOffset(Self.p0) == 15 && s.tracker.storedOffset(Self.p1) == 3)
        #expect(s.committedCounts.valid == 8 && s.filesWritten == 1 && s.bytesWritten == 700)
        #expect(s.lastCommitAt == t0 + .seconds(42))
        #expect(s.tracker.advances[Self.p0]?.expected == 15 && s.tracker.advances[Self.p0]?.next == 17)
        #expect(s.tracker.advances[Self.p1] == nil)
    }

    @Test func aRefusedCommitKeepsItsDeliveredDeadLettersAndRewindsToTheStore() async throws {
        let (buffer, commits) = (Buffer(), Commits())
        let s = scheduler(buffer, commits)
        _ = s.reassign(SourcePoll(records: [], assignmentGeneration: 1, assignment: [Self.p0]), stored: [Self.p0: 100])
        s.tracker.advance(over: records(0, 100...109))
        #expect(s.start(trigger: "rows", generation: 1))
        s.tracker.advance(over: records(0, 110...119))  // processed meanwhile: dropped too
        let delivered = SourceCoordinate(topic: "t", partition: 0, offset: 104)
        commits.pending[0].finish(.success(.refused("OffsetConflict", delivered: [delivered])))
        guard case .refused(let reason) = try await s.settle() else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reason == "OffsetConflict")
        #expect(buffer.alreadyDeadLettered == [delivered], "not sent again by the retry")
        #expect(s.committedCounts.total == 0 && s.lastCommitAt == nil)

        // The store still says 100 (another writer did not move it), and the prefetched poll 120…129 was discarded.
        let rewind = s.dropUncommitted(stored: [Self.p0: 100], discarded: records(0, 120...129))
        #expect(rewind == [Self.p0: 100])
        #expect(buffer.resets == 2, "the assignment's reset and the refusal's")
        #expect(!s.tracker.hasProgress && s.tracker.storedOffset(Self.p0) == 100)
        #expect(!s.start(trigger: "rows", generation: 1), "nothing left to commit")
    }

    @Test func anAbandonedCommitLeavesTheRewindToTheNewAssignment() async throws {
        let (buffer, commits) = (Buffer(), Commits())
        let s = scheduler(buffer, commits)
        _ = s.reassign(SourcePoll(records: [], assignmentGeneration: 1, assignment: [Self.p0, Self.p1]), stored: [:])
        s.tracker.advance(over: records(0, 0...4) + records(1, 7...9))
        #expect(s.start(trigger: "interval", generation: 1))
        commits.pending[0].finish(.success(.abandoned))
        guard case .abandoned = try await s.settle() else {
            Issue.record("expected an abandoned commit")
            return
        }
        #expect(s.tracker.storedOffset(Self.p0) == nil, "nothing became durable")
        // The new assignment keeps p1 only; nothing is stored, so p1 goes back to the first record of the dropped work.
        let poll = SourcePoll(records: records(1, 12...13), assignmentGeneration: 2, assignment: [Self.p1])
        #expect(s.reassign(poll, stored: [:]) == [Self.p1: 7])
        #expect(s.tracker.assigned == [Self.p1])
    }

    @Test func deadLettersFoundByTheRecoveryScanHoldTheirPartitionsMark() async throws {
        let (buffer, commits) = (Buffer(), Commits())
        let s = scheduler(buffer, commits)
        _ = s.reassign(SourcePoll(records: [], assignmentGeneration: 1, assignment: [Self.p0, Self.p1]), stored: [Self.p0: 0, Self.p1: 0])
        buffer.alreadyDeadLettered = [SourceCoordinate(topic: "t", partition: 1, offset: 50)]
        s.tracker.advance(over: records(0, 0...9) + records(1, 0...9))
        #expect(s.start(trigger: "rows", generation: 1))
        #expect(commits.requests[0].markPartitions == [Self.p0], "p1's record 50 is not covered by this commit")
        commits.pending[0].finish(.success(.committed(report(valid: 20, fileBytes: 1))))
        _ = try await s.settle()
    }

    @Test func aFailingCommitThrowsFromSettle() async throws {
        struct DiskFull: Error {}
        let (buffer, commits) = (Buffer(), Commits())
        let s = scheduler(buffer, commits)
        _ = s.reassign(SourcePoll(records: [], assignmentGeneration: 1, assignment: [Self.p0]), stored: [:])
        s.tracker.advance(over: records(0, 0...0))
        #expect(s.start(trigger: "rows", generation: 1))
        commits.pending[0].finish(.failure(DiskFull()))
        await #expect(throws: DiskFull.self) { _ = try await s.settle() }
        #expect(!s.hasCommitInFlight)
    }

    @Test func settlementsMapToTheMachinesCommitEnds() {
        var m = RunLoopStateMachine(policy: FlushPolicy(maxRows: 1, maxBytes: 1, interval: .seconds(1)), untilIdle: nil,
                                    assignmentTimeout: nil, stopAfterRecords: nil, now: t0)
        m.commitStarted()
        #expect(m.commitSettled(CommitScheduler.Settlement.refused(reason: "x").end) == .dropUncommitted)
        m.commitStarted()
        #expect(m.commitSettled(CommitScheduler.Settlement.abandoned.end) == .none)
        m.commitStarted()
        #expect(m.commitSettled(CommitScheduler.Settlement.committed(report(valid: 1, fileBytes: 1), advances: [:]).end) == .none)
        #expect(!m.commitInFlight)
    }
}
