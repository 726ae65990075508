import Foundation
import Logging
import ServiceLifecycle

/// The run loop: poll → process → (flush policy) → commit, until stopped, idle, or shut down gracefully.
///
/// Exactly-once: the store decides where each partition resumes; a commit makes the lake files, dedup keys and
/// offsets durable in one step (see `LakeCommitter`); DLQ records are delivered before that step; Kafka's group
/// offsets are committed only after it. A rebalance or a refused commit drops all uncommitted work and rewinds.
public final class PipelineRunner: Service, @unchecked Sendable {
    private let config: PipelineConfig
    private let source: RecordSource
    private let store: CheckpointStore
    private let committer: TableCommit
    private let deadLetters: DeadLetterSink
    private let processor: MicroBatchProcessor
    private let policy: FlushPolicy
    private let options: Options
    private let observer: PipelineObserver
    private let logger: Logger
    private let prefetcher: PollPrefetcher
    /// Hands buffered work to commits and applies their outcomes.
    private let commits: CommitScheduler
    /// The loop's decisions.
    private var machine: RunLoopStateMachine
    private let clock = ContinuousClock()
    /// Set by `requestStop()` from any thread.
    private let stopRequested = Guarded(false)
    /// Totals of this process's committed work.
    public var committedCounts: BatchCounts { commits.committedCounts }
    public var filesWritten: Int { commits.filesWritten }
    public var bytesWritten: Int64 { commits.bytesWritten }
    /// When the first batch of records was processed; nil until then. Safe to read while the run goes.
    public var firstPollAt: ContinuousClock.Instant? { firstPoll.withLock { $0 } }
    private let firstPoll = Guarded<ContinuousClock.Instant?>(nil)
    public var lastCommitAt: ContinuousClock.Instant? { commits.lastCommitAt }
    /// Records deleted by the source's retention between the stored offset and the partition's first record, found
    /// at assignment: they were never read, so they are in neither the lake nor the DLQ.
    public var recordsLostToRetention: Int64 { continuity.recordsLostToRetention }
    private let continuity: SourceContinuityCheck
    private let unreadElsewhere: UnreadElsewhereCheck
    private let deadLetterRecovery: DeadLetterRecovery
    private let groupOffsets: GroupOffsetsCheck
    private let ownership: PartitionOwnership

    public init(config: PipelineConfig, source: RecordSource, store: CheckpointStore, committer: TableCommit,
                deadLetters: DeadLetterSink, evaluator: RecordEvaluator, options: Options = Options(),
                observer: PipelineObserver = PipelineObserver(), logger: Logger = Logger(label: "weir.pipeline")) {
        self.config = config
        self.source = source
        self.store = store
        self.committer = committer
        self.deadLetters = deadLetters
        let processor = MicroBatchProcessor(evaluator: evaluator, store: store, config: config)
        self.processor = processor
        commits = CommitScheduler(buffer: processor, makeCommit: { request in
            let job = CommitJob(work: request.work, advances: request.advances, markPartitions: request.markPartitions,
                                generation: request.generation, trigger: request.trigger, dedupTTL: config.dedupTTL,
                                schema: processor.evaluator.layout.parquetSchema, gate: source.assignmentGate, source: source,
                                deadLetters: deadLetters, committer: committer, store: store, logger: logger,
                                raceAttempts: options.dedupRaceAttempts)
            return { try await job.run() }
        })
        policy = FlushPolicy(maxRows: config.flushRows, maxBytes: config.flushBytes, interval: config.flushInterval)
        prefetcher = PollPrefetcher(source: source, maxRecords: config.pollRecords, timeout: config.maxWait)
        self.options = options
        self.observer = observer
        self.logger = logger
        let now = clock.now  // the run restarts both counts (`RunLoopStateMachine.started`)
        let idle = options.untilIdle.map {
            IdleExit(window: $0, othersLimit: options.unreadElsewhereLimit, confirmation: options.idleConfirmation, now: now)
        }
        machine = RunLoopStateMachine(policy: policy, untilIdle: idle, assignmentTimeout: options.assignmentTimeout,
                                      stopAfterRecords: options.stopAfterRecords, now: now)
        unreadElsewhere = UnreadElsewhereCheck(source: source, store: store, logger: logger)
        deadLetterRecovery = DeadLetterRecovery(store: store, deadLetters: deadLetters)
        ownership = PartitionOwnership(store: store, owner: committer.instance, logger: logger)
        continuity = SourceContinuityCheck(topic: config.topic, source: source, store: store, logger: logger)
        groupOffsets = GroupOffsetsCheck(source: source, logger: logger)
    }

    /// Asks the loop to flush, commit and return at the next iteration.
    public func requestStop() { stopRequested.withLock { $0 = true } }

    /// Whether the loop should flush, commit and return: asked to, or its service or task is ending.
    private var isStopping: Bool { stopRequested.withLock { $0 } || Task.isShuttingDownGracefully || Task.isCancelled }

    /// Runs until stopped. Recovers interrupted commits first.
    /// - Throws: store, file system and source errors that retrying in-process would not fix; the process should
    ///   exit non-zero and be restarted, and recovery then finishes or rolls back the interrupted commit.
    public func run() async throws {
        let report = try committer.recover()
        if report.rolledForward + report.orphansRemoved > 0 {
            logger.notice("recovered interrupted commits", metadata: [
                "rolled_forward": "\(report.rolledForward)", "orphans_removed": "\(report.orphansRemoved)"])
        }
        let store = self.store
        try await source.start(storedOffsets: { partitions in (try? store.storedOffsets(partitions)) ?? [:] })
        machine.started(at: clock.now)
        do {
            try await pollUntilStopped()
        } catch {
            // The poll in flight ends before the error goes up: nothing of this run reads the source after it.
            await prefetcher.discard()
            throw error
        }
        await prefetcher.discard()
        try await flush(trigger: "shutdown")
        await source.close()
        await deadLetters.close()
        if deadLetters.deliveryTimeout != nil { ownership.release() }
        committer.close()
        store.checkpointWAL()
    }

    /// The run loop: polls, processes, flushes and checks the group until the state machine says stop (asked to,
    /// idle, or the service ending). The caller then discards the poll started ahead and makes the last flush.
    private func pollUntilStopped() async throws {
        while machine.nextIteration(stopRequested: isStopping) == .poll {
            let poll = try await prefetcher.next()
            if case .handleAssignment(let settleCommitFirst) = machine.polled(generation: poll.assignmentGeneration) {
                try await handleAssignment(poll, settleCommitFirst: settleCommitFirst)
                machine.assignmentHandled(at: clock.now)
                continue
            }
            prefetcher.prefetch()
            let records = commits.tracker.accepted(poll.records)
            switch machine.accepted(count: records.count, assigned: !commits.tracker.assigned.isEmpty, at: clock.now) {
            case .failNoAssignment(let timeout):
                throw PipelineError(message: "no partition of \(config.topic) was assigned within \(timeout): check that the "
                    + "brokers are reachable and the topic exists")
            case .process: try process(records)
            case .none: break
            }
            let (now, oldest) = (clock.now, processor.oldestBufferedAt)
            try await settleIfDone()
            switch machine.flushDecision(rows: processor.bufferedRows, bytes: processor.bufferedBytes, oldestBufferedAt: oldest,
                                         sourceQuiet: records.isEmpty || poll.drained, at: now) {
            case .none: break
            case .flush(let trigger): try await flush(trigger: trigger, wait: false)
            case .flushAndWait(let trigger): _ = machine.waitedFlushEnded(durable: try await flush(trigger: trigger), at: clock.now)
            }
            switch machine.iterationEnded(committedRecords: committedCounts.total, sourceQuiet: records.isEmpty, at: clock.now) {
            case .poll: continue
            case .stop: return
            case .checkGroupProgress:
                let unread = try await unreadElsewhere.unread(assigned: commits.tracker.assigned)
                guard case .flushAndWait(let trigger) = machine.groupProgress(unreadElsewhere: !unread.isEmpty, at: clock.now)
                else { continue }
                let durable = try await flush(trigger: trigger)
                if case .exitIdle(let unreadElsewhere) = machine.waitedFlushEnded(durable: durable, at: clock.now) {
                    if unreadElsewhere {
                        logger.warning("""
                            idle exit with records unread in partitions other members hold: no rebalance handed them \
                            over, so those members are alive and read them
                            """, metadata: ["partitions": "\(UnreadElsewhereCheck.describe(unread))"])
                    }
                    return
                }
            }
        }
    }

    /// Evaluates accepted records into the buffers and reports the batch.
    private func process(_ records: [SourceRecord]) throws {
        let started = clock.now
        firstPoll.withLock { if $0 == nil { $0 = started } }
        let counts = try processor.process(records, nowMicros: RFC3339.nowMicros())
        commits.tracker.advance(over: records)
        var starts: [SourcePartition: (offset: Int64, timestampMs: Int64?)] = [:]
        var previous: (topic: String, partition: Int32)?
        for record in records where previous?.partition != record.partition || previous?.topic != record.topic {
            previous = (record.topic, record.partition)
            if starts[record.sourcePartition] == nil { starts[record.sourcePartition] = (record.offset, record.timestampMs) }
        }
        let now = clock.now
        observer.batchProcessed?(BatchReport(
            counts: counts, duration: now - started, dedupLookups: processor.lastBatchLookups,
            dedupLookupDuration: processor.lastBatchLookupDuration,
            oldestBufferAge: processor.oldestBufferedAt.map { now - $0 }, starts: starts))
    }

    /// The store fact set by `weir checkpoint rebuild` (its unix time).
    public static let rebuiltKey = "rebuilt_at"

    private func handleAssignment(_ poll: SourcePoll, settleCommitFirst: Bool) async throws {
        if settleCommitFirst { _ = try await settle() }
        // Claimed first, then waiting for what a previous owner may still be delivering to the DLQ: from then on no
        // other instance can commit these partitions (`CheckpointCommit.ownedBy`), so the offsets and DLQ marks read
        // below stay as read until this instance commits. Read before the claim, a zombie's commit landing in
        // between would leave stale offsets beside fresh marks, and the scan would miss the DLQ records it sent.
        try await ownership.claim(poll.assignment)
        let positions = try store.storedPositions(poll.assignment)
        if !poll.assignment.isEmpty {
            try await continuity.check(positions)
            await groupOffsets.check(assignment: poll.assignment, stored: positions)
        }
        let stored = positions.mapValues(\.next)
        try await source.seek(commits.reassign(poll, stored: stored))
        let skip = try await deadLetterRecovery.alreadyDelivered(assignment: poll.assignment, stored: stored)
        processor.alreadyDeadLettered = skip
        logger.log(level: poll.assignment.isEmpty ? .debug : .info, "partitions assigned",
                   metadata: ["partitions": "\(poll.assignment.sorted().map(\.description))", "dlq_already_delivered": "\(skip.count)"])
        observer.rebalanced?(poll.assignment)
    }

    /// Hands everything buffered to a commit. With `wait`, returns once that commit is settled: true when it is
    /// durable, false when it was refused or abandoned (the work is dropped and will be read again). Without
    /// `wait`, the commit runs while the loop keeps processing; at most one commit is in flight, and the next
    /// flush first settles the previous one.
    @discardableResult
    public func flush(trigger: String, wait: Bool = true) async throws -> Bool {
        guard try await settle() else { return false }
        guard commits.start(trigger: trigger, generation: machine.generation) else { return true }
        machine.commitStarted()
        return wait ? try await settle() : true
    }

    /// Settles the commit in flight, if any, when it has finished.
    private func settleIfDone() async throws {
        if commits.commitHasFinished { _ = try await settle() }
    }

    /// Waits for the commit in flight, if any, and applies its outcome. Returns false when it was refused or
    /// abandoned.
    @discardableResult
    private func settle() async throws -> Bool {
        guard let settlement = try await commits.settle() else { return true }
        if case .committed(let report, let advances) = settlement {
            continuity.committed(advances)
            logger.info("committed", metadata: report.logMetadata)
            observer.committed?(report)
        }
        switch machine.commitSettled(settlement.end) {
        case .none: break
        case .dropUncommitted:
            if case .refused(let reason) = settlement {
                logger.warning("commit refused; dropping uncommitted work and rewinding", metadata: ["reason": "\(reason)"])
            }
            let discarded = await prefetcher.discard()
            let stored = try store.storedOffsets(commits.tracker.assigned)
            try await source.seek(commits.dropUncommitted(stored: stored, discarded: discarded))
        }
        return settlement.end == .durable
    }
}
