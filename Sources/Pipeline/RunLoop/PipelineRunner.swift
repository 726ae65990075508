import Foundation
import Logging
import ServiceLifecycle

/// The run loop: poll → process → (flush policy) → commit, until stopped, idle, or shut down gracefully.
///
/// Exactly-once: the store decides where each partition resumes; a commit makes the lake files, dedup keys and
/// offsets durable in one step (see `LakeCommitter`); DLQ records are delivered before that step; Kafka's group
/// offsets are committed only after it. A rebalance or a refused commit drops all uncommitted work and rewinds.
public final class PipelineRunner: Service, @unchecked Sendable {
    public struct Options: Sendable {
        /// Exit after this long without records, having committed everything, once no partition of the topic is
        /// left unread (`--until-idle`; see `IdleExit`). nil: run forever.
        public var untilIdle: Duration?
        /// Exit after this many records have been committed (tests, demo). nil: no limit.
        public var stopAfterRecords: Int?
        /// Fail when no partition has been assigned this long after start (unreachable brokers, missing topic).
        /// nil: wait forever.
        public var assignmentTimeout: Duration?
        /// How many store transactions a commit tries when instances sharing the lake land some of its dedup keys
        /// first (`DedupRace`): each retry drops just those rows. Past it the commit is refused and its batch read
        /// again. Default 3.
        public var dedupRaceAttempts = 3
        /// With `untilIdle`: how long partitions held by other members with unread records keep an idle run going
        /// when no rebalance hands them over (`IdleExit.othersLimit`). nil: until they are read.
        public var unreadElsewhereLimit: Duration?
        /// With `untilIdle`: how long the exit condition must keep holding (`IdleExit.confirmation`; for a consumer
        /// group, longer than the heartbeat interval, so a rebalance already under way is seen). Default zero.
        public var idleConfirmation: Duration
        public init(untilIdle: Duration? = nil, stopAfterRecords: Int? = nil, assignmentTimeout: Duration? = nil,
                    unreadElsewhereLimit: Duration? = nil, idleConfirmation: Duration = .zero) {
            self.assignmentTimeout = assignmentTimeout
            self.unreadElsewhereLimit = unreadElsewhereLimit
            self.idleConfirmation = idleConfirmation
            self.untilIdle = untilIdle
            self.stopAfterRecords = stopAfterRecords
        }
    }

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
    private var inFlight: Task<CommitOutcome, Error>?
    private let inFlightDone = AtomicFlag()
    private var tracker = PartitionTracker()
    private var generation = -1
    private var stopRequested = false
    /// Totals of this process's committed work.
    public private(set) var committedCounts = BatchCounts()
    public private(set) var filesWritten = 0
    public private(set) var bytesWritten: Int64 = 0
    public private(set) var firstPollAt: ContinuousClock.Instant?
    public private(set) var lastCommitAt: ContinuousClock.Instant?
    /// Records deleted by the source's retention between the stored offset and the partition's first record, found
    /// at assignment: they were never read, so they are in neither the lake nor the DLQ.
    public var recordsLostToRetention: Int64 { continuity.recordsLostToRetention }
    private let continuity: SourceContinuityCheck
    /// The offset advances of the commit in flight, remembered as verified positions once it is durable.
    private var inFlightAdvances: [SourcePartition: OffsetAdvance] = [:]
    /// The unread partitions of other members last logged by `partitionsUnreadElsewhere`.
    private var reportedUnread = Set<SourcePartition>()

    public init(config: PipelineConfig, source: RecordSource, store: CheckpointStore, committer: TableCommit,
                deadLetters: DeadLetterSink, evaluator: RecordEvaluator, options: Options = Options(),
                observer: PipelineObserver = PipelineObserver(), logger: Logger = Logger(label: "weir.pipeline")) {
        self.config = config
        self.source = source
        self.store = store
        self.committer = committer
        self.deadLetters = deadLetters
        processor = MicroBatchProcessor(evaluator: evaluator, store: store, config: config)
        policy = FlushPolicy(maxRows: config.flushRows, maxBytes: config.flushBytes, interval: config.flushInterval)
        prefetcher = PollPrefetcher(source: source, maxRecords: config.maxPollRecords, timeout: config.maxWait)
        self.options = options
        self.observer = observer
        self.logger = logger
        continuity = SourceContinuityCheck(topic: config.topic, source: source, store: store, logger: logger)
    }

    /// Asks the loop to flush, commit and return at the next iteration.
    public func requestStop() { stopRequested = true }

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
        var idle = options.untilIdle.map {
            IdleExit(window: $0, othersLimit: options.unreadElsewhereLimit, confirmation: options.idleConfirmation, now: .now)
        }
        let startedAt = ContinuousClock.now
        var everAssigned = false
        while !stopRequested && !Task.isShuttingDownGracefully && !Task.isCancelled {
            let poll = try await prefetcher.next()
            if poll.assignmentGeneration != generation {
                // Records of a poll that spans a rebalance may predate it: drop them all and rewind.
                try await handleAssignment(poll)
                idle?.activity(at: .now)
                continue
            }
            prefetcher.prefetch()
            let records = tracker.accepted(poll.records)
            if tracker.assigned.isEmpty {
                idle?.activity(at: .now)  // idle time counts only while partitions are assigned
                if !everAssigned, let timeout = options.assignmentTimeout, ContinuousClock.now - startedAt > timeout {
                    throw PipelineError(message: "no partition of \(config.topic) was assigned within \(timeout): check that the "
                        + "brokers are reachable and the topic exists")
                }
            } else {
                everAssigned = true
            }
            if !records.isEmpty {
                if firstPollAt == nil { firstPollAt = .now }
                idle?.activity(at: .now)
                let started = ContinuousClock.now
                let counts = try processor.process(records, nowMicros: RFC3339.nowMicros())
                tracker.advance(over: records)
                var starts: [SourcePartition: (offset: Int64, timestampMs: Int64?)] = [:]
                var previous: (topic: String, partition: Int32)?
                for record in records where previous?.partition != record.partition || previous?.topic != record.topic {
                    previous = (record.topic, record.partition)
                    if starts[record.sourcePartition] == nil { starts[record.sourcePartition] = (record.offset, record.timestampMs) }
                }
                observer.batchProcessed?(BatchReport(
                    counts: counts, duration: .now - started, dedupLookups: processor.lastBatchLookups,
                    dedupLookupDuration: processor.lastBatchLookupDuration,
                    oldestBufferAge: processor.oldestBufferedAt.map { ContinuousClock.now - $0 }, starts: starts))
            }
            let age = processor.oldestBufferedAt.map { ContinuousClock.now - $0 }
            try await settleIfDone()
            if let trigger = policy.trigger(rows: processor.bufferedRows, bytes: processor.bufferedBytes, age: age) {
                try await flush(trigger: trigger, wait: false)
            } else if options.untilIdle != nil, records.isEmpty || poll.drained, processor.bufferedRows > 0 {
                // A batch-style run commits as soon as the source is drained (every partition read to its end, or
                // an empty poll), not only when it gives up waiting. A refused flush rewound its records: they must
                // be read again before the run may count as idle.
                if try await !flush(trigger: "drained") { idle?.activity(at: .now) }
            }
            if let limit = options.stopAfterRecords, committedCounts.total >= limit { break }
            if records.isEmpty, idle?.isDue(at: .now) == true {
                let unread = try await partitionsUnreadElsewhere()
                if !unread.isEmpty && idle?.othersHadTheirTime(at: .now) != true {
                    idle?.unreadFound(at: .now)
                } else if idle?.confirmed(at: .now) == false {
                    // Keep polling a little longer: a rebalance under way arrives with the next heartbeat.
                } else if try await flush(trigger: "idle") {
                    if !unread.isEmpty {
                        logger.warning("""
                            idle exit with records unread in partitions other members hold: no rebalance handed them \
                            over, so those members are alive and read them
                            """, metadata: ["partitions": "\(Self.describe(unread))"])
                    }
                    break
                } else {
                    idle?.activity(at: .now)  // refused and rewound: consume the records again before exiting
                }
            }
        }
        await prefetcher.discard()
        try await flush(trigger: "shutdown")
        await source.close()
        await deadLetters.close()
        committer.close()
        store.checkpointWAL()
    }

    /// The partitions of the topic that this member does not hold and that still have records nobody read (a
    /// member died and the group has not handed its partitions over yet, or another member is still reading), with
    /// how many. When the group cannot be asked, none: the run ends as it did before it could tell.
    private func partitionsUnreadElsewhere() async throws -> [SourcePartition: Int64] {
        guard let progress = await source.groupProgress(), !progress.isEmpty else { return [:] }
        let stored = try store.storedOffsets(Array(progress.keys))
        let unread = IdleExit.unread(progress, stored: stored, assigned: Set(tracker.assigned))
        if !unread.isEmpty && Set(unread.keys) != reportedUnread {
            logger.info("idle, but not exiting: partitions held by other members have unread records",
                        metadata: ["partitions": "\(Self.describe(unread))"])
        }
        reportedUnread = Set(unread.keys)
        return unread
    }

    private static func describe(_ unread: [SourcePartition: Int64]) -> [String] {
        unread.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// The store key under which the lake's genesis DLQ marks are kept.
    static let genesis = SourcePartition(topic: "", partition: -1)
    /// The store fact set by `weir checkpoint rebuild` (its unix time).
    public static let rebuiltKey = "rebuilt_at"

    private func handleAssignment(_ poll: SourcePoll) async throws {
        _ = try await settle()
        generation = poll.assignmentGeneration
        processor.reset()
        let positions = try store.storedPositions(poll.assignment)
        if !poll.assignment.isEmpty { try await continuity.check(positions) }
        let stored = positions.mapValues(\.next)
        // Where the dropped uncommitted work of earlier polls began: with nothing stored, rewinding only to this
        // poll's first record would skip the records processed (and now dropped) before it.
        let dropped = tracker.rollback(refreshed: stored)
        tracker.assign(poll.assignment, stored: stored)
        var rewind: [SourcePartition: Int64] = [:]
        for record in poll.records where poll.assignment.contains(record.sourcePartition) {
            let p = record.sourcePartition
            rewind[p] = stored[p] ?? min(rewind[p] ?? record.offset, record.offset)
        }
        for (p, offset) in dropped where poll.assignment.contains(p) {
            rewind[p] = stored[p] ?? min(rewind[p] ?? offset, offset)
        }
        try await source.seek(rewind)
        // Where each partition's DLQ records may start: its own mark, else the lake's genesis mark (recorded at
        // the first assignment ever, before this lake delivered anything), so the scan never reads older records.
        var genesis = try store.deadLetterMarks(for: Self.genesis)
        if genesis.isEmpty {
            var current = try await deadLetters.currentMarks()
            // A store rebuilt from the lake has lost its marks: the DLQ may already hold records of any age, so the
            // first scan reads each DLQ partition from its beginning.
            if try store.metaValue(Self.rebuiltKey) != nil {
                current = current.map { DeadLetterMark(dlqTopic: $0.dlqTopic, dlqPartition: $0.dlqPartition, scanFrom: 0) }
            }
            if !current.isEmpty {
                try store.recordDeadLetterMarks(current, for: Self.genesis)
                genesis = try store.deadLetterMarks(for: Self.genesis)  // the lowest, if another instance raced
            }
        }
        var marks: [SourcePartition: [DeadLetterMark]] = [:]
        var from: [SourcePartition: Int64] = [:]
        for partition in poll.assignment {
            let own = try store.deadLetterMarks(for: partition)
            marks[partition] = own.isEmpty ? genesis : own
            from[partition] = stored[partition] ?? 0
        }
        let skip = try await deadLetters.alreadyDelivered(from: from, marks: marks)
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
        guard tracker.hasProgress else { return true }
        let advances = tracker.advances
        // A partition's DLQ scan mark may only move past DLQ records whose source records are committed:
        // records found by the recovery scan but not yet covered by this commit keep the old mark.
        let markPartitions = tracker.assigned.filter { p in
            !processor.hasAlreadyDeadLettered(p, atOrAfter: advances[p]?.next ?? tracker.storedOffset(p) ?? 0)
        }
        let job = CommitJob(work: processor.takeWork(), advances: advances, markPartitions: markPartitions,
                            generation: generation, trigger: trigger, dedupTTL: config.dedupTTL,
                            schema: processor.evaluator.layout.parquetSchema, gate: source.assignmentGate, source: source,
                            deadLetters: deadLetters, committer: committer, store: store, logger: logger,
                            raceAttempts: options.dedupRaceAttempts)
        tracker.handOff()
        inFlightAdvances = advances
        let done = inFlightDone
        done.set(false)
        inFlight = Task {
            defer { done.set(true) }
            return try await job.run()
        }
        return wait ? try await settle() : true
    }

    /// Settles the commit in flight, if any, when it has finished.
    private func settleIfDone() async throws {
        if inFlight != nil && inFlightDone.value { _ = try await settle() }
    }

    /// Waits for the commit in flight, if any, and applies its outcome. Returns false when it was refused or
    /// abandoned.
    @discardableResult
    private func settle() async throws -> Bool {
        guard let task = inFlight else { return true }
        inFlight = nil
        let outcome = try await task.value
        processor.finishCommit()
        switch outcome {
        case .committed(let report):
            tracker.didCommit()
            continuity.committed(inFlightAdvances)
            committedCounts.add(report.counts)
            filesWritten += report.files.count
            bytesWritten += report.files.reduce(0) { $0 + $1.bytes }
            lastCommitAt = .now
            logger.info("committed", metadata: [
                "commit_id": "\(report.commitID)", "trigger": "\(report.trigger)", "records": "\(report.counts.total)",
                "landed": "\(report.counts.valid)", "duplicates": "\(report.counts.duplicates)",
                "dlq": "\(report.counts.invalid)", "files": "\(report.files.count)",
                "duration_ms": "\(Int(report.duration.seconds * 1000))",
                "dlq_ms": "\(Int(report.phases.deadLetters.seconds * 1000))",
                "files_ms": "\(Int(report.phases.files.seconds * 1000))",
                "store_ms": "\(Int(report.phases.store.seconds * 1000))"])
            observer.committed?(report)
            return true
        case .refused(let reason, let delivered):
            processor.alreadyDeadLettered.formUnion(delivered)
            try await dropUncommitted(because: reason)
            return false
        case .abandoned:
            return false  // the next poll reports the new assignment, which drops all uncommitted work
        }
    }

    private func dropUncommitted(because reason: String) async throws {
        logger.warning("commit refused; dropping uncommitted work and rewinding", metadata: ["reason": "\(reason)"])
        processor.reset()
        let discarded = await prefetcher.discard()
        let stored = try store.storedOffsets(tracker.assigned)
        var rewind = tracker.rollback(refreshed: stored)
        // Records fetched by the discarded poll were never processed, but the consumer has moved past them: a
        // partition with no other rewind target goes back to its stored offset, or to the first discarded record.
        for record in discarded where tracker.accepts(record.sourcePartition, offset: record.offset) {
            let p = record.sourcePartition
            if rewind[p] == nil { rewind[p] = stored[p] ?? tracker.storedOffset(p) ?? record.offset }
            if stored[p] == nil && tracker.storedOffset(p) == nil { rewind[p] = min(rewind[p]!, record.offset) }
        }
        try await source.seek(rewind)
    }
}

/// A run-loop failure that is not a store or source error, with an operator-facing message.
public struct PipelineError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
