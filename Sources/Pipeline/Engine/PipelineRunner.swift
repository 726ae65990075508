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
        /// Exit after this long without records, having committed everything (`--until-idle`). nil: run forever.
        public var untilIdle: Duration?
        /// Exit after this many records have been committed (tests, demo). nil: no limit.
        public var stopAfterRecords: Int?
        public init(untilIdle: Duration? = nil, stopAfterRecords: Int? = nil) {
            self.untilIdle = untilIdle
            self.stopAfterRecords = stopAfterRecords
        }
    }

    private let config: PipelineConfig
    private let source: RecordSource
    private let store: CheckpointStore
    private let committer: LakeCommitter
    private let deadLetters: DeadLetterSink
    private let processor: MicroBatchProcessor
    private let policy: FlushPolicy
    private let options: Options
    private let observer: PipelineObserver
    private let logger: Logger
    private let prefetcher: PollPrefetcher
    private var tracker = PartitionTracker()
    private var generation = -1
    private var stopRequested = false
    /// Totals of this process's committed work.
    public private(set) var committedCounts = BatchCounts()
    public private(set) var filesWritten = 0
    public private(set) var bytesWritten: Int64 = 0
    public private(set) var firstPollAt: ContinuousClock.Instant?
    public private(set) var lastCommitAt: ContinuousClock.Instant?

    public init(config: PipelineConfig, source: RecordSource, store: CheckpointStore, committer: LakeCommitter,
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
        var lastRecordAt = ContinuousClock.now
        while !stopRequested && !Task.isShuttingDownGracefully && !Task.isCancelled {
            let poll = try await prefetcher.next()
            if poll.assignmentGeneration != generation {
                // Records of a poll that spans a rebalance may predate it: drop them all and rewind.
                try await handleAssignment(poll)
                lastRecordAt = .now
                continue
            }
            prefetcher.prefetch()
            let records = poll.records.filter { tracker.accepts($0.sourcePartition, offset: $0.offset) }
            if tracker.assigned.isEmpty { lastRecordAt = .now }  // idle time counts only once partitions are assigned
            if !records.isEmpty {
                if firstPollAt == nil { firstPollAt = .now }
                lastRecordAt = .now
                let started = ContinuousClock.now
                let counts = try processor.process(records, nowMicros: RFC3339.nowMicros())
                for r in records { tracker.advance(r.sourcePartition, offset: r.offset) }
                observer.batchProcessed?(BatchReport(
                    counts: counts, duration: .now - started, dedupLookups: processor.lastBatchLookups,
                    dedupLookupDuration: processor.lastBatchLookupDuration,
                    oldestBufferAge: processor.oldestBufferedAt.map { ContinuousClock.now - $0 }))
            }
            let age = processor.oldestBufferedAt.map { ContinuousClock.now - $0 }
            if let trigger = policy.trigger(rows: processor.bufferedRows, bytes: processor.bufferedBytes, age: age) {
                try await flush(trigger: trigger)
            } else if options.untilIdle != nil, records.isEmpty, processor.bufferedRows > 0 {
                // A batch-style run commits as soon as the source is drained, not only when it gives up waiting.
                try await flush(trigger: "drained")
            }
            if let limit = options.stopAfterRecords, committedCounts.total >= limit { break }
            if let idle = options.untilIdle, records.isEmpty, ContinuousClock.now - lastRecordAt >= idle {
                if try await flush(trigger: "idle") { break }
                lastRecordAt = .now  // refused and rewound: consume the records again before exiting
            }
        }
        await prefetcher.discard()
        try await flush(trigger: "shutdown")
        await source.close()
        await deadLetters.close()
        committer.close()
    }

    private func handleAssignment(_ poll: SourcePoll) async throws {
        generation = poll.assignmentGeneration
        processor.reset()
        let stored = try store.storedOffsets(poll.assignment)
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
        var skip = Set<SourceCoordinate>()
        for partition in poll.assignment {
            let marks = try store.deadLetterMarks(for: partition)
            skip.formUnion(try await deadLetters.alreadyDelivered(partition: partition, fromOffset: stored[partition] ?? 0, marks: marks))
        }
        processor.alreadyDeadLettered = skip
        logger.info("partitions assigned", metadata: ["partitions": "\(poll.assignment.sorted().map(\.description))",
                                                      "dlq_already_delivered": "\(skip.count)"])
        observer.rebalanced?(poll.assignment)
    }

    /// Flushes and commits everything buffered. Returns false when the commit was refused and the work dropped.
    @discardableResult
    public func flush(trigger: String) async throws -> Bool {
        guard tracker.hasProgress else { return true }
        let started = ContinuousClock.now
        // Hold off revocations while committing; commit nothing read under an assignment that has changed.
        let gate = source.assignmentGate
        if let gate {
            let current = await gate.acquire()
            guard current == generation else {
                gate.release()
                return false  // the next poll reports the new assignment, which drops this work
            }
        }
        let outcome: Result<Int64, Error>
        let commit: CheckpointCommit
        do {
            (commit, outcome) = try await deliverAndCommit()
        } catch {
            gate?.release()
            throw error
        }
        gate?.release()
        let commitID: Int64
        switch outcome {
        case .success(let id): commitID = id
        case .failure(let error):
            // Refused: the DLQ records were delivered, so a second attempt must not send them again.
            for d in processor.deadLetters {
                processor.alreadyDeadLettered.insert(SourceCoordinate(topic: d.sourceTopic, partition: d.sourcePartition, offset: d.sourceOffset))
            }
            try await dropUncommitted(because: "\(error)")
            return false
        }
        try await afterCommit(commit, commitID: commitID, trigger: trigger, started: started)
        return true
    }

    /// Delivers the DLQ records, stages the lake files and runs the store transaction. A refused commit
    /// (`OffsetConflict`, `DedupRace`) is returned as a failure; other errors are thrown.
    private func deliverAndCommit() async throws -> (CheckpointCommit, Result<Int64, Error>) {
        let delivery = try await deadLetters.deliver(processor.deadLetters, committer: committer)
        var commit = CheckpointCommit()
        commit.offsets = tracker.advances
        commit.dedupKeys = processor.pendingKeys
        commit.committedAt = Int64(Date().timeIntervalSince1970)
        commit.dedupNotBefore = commit.committedAt - config.dedupTTL.components.seconds
        commit.totals = processor.counts.totals
        if !delivery.marks.isEmpty {
            // A partition's DLQ scan mark may only move past DLQ records whose source records are committed:
            // records found by the recovery scan but not yet covered by a commit keep the old mark.
            for partition in tracker.assigned {
                let committedUpTo = commit.offsets[partition]?.next ?? tracker.storedOffset(partition) ?? 0
                guard !processor.hasAlreadyDeadLettered(partition, atOrAfter: committedUpTo) else { continue }
                commit.deadLetterMarks[partition] = delivery.marks
            }
        }
        let schema = processor.evaluator.layout.parquetSchema
        for (_, buffer) in processor.buffers.sorted(by: { $0.key < $1.key }) where buffer.rows.rowCount > 0 {
            commit.files.append(try committer.stage(buffer.rows, directory: buffer.directory, schema: schema))
        }
        commit.files.append(contentsOf: delivery.stagedFiles)
        do {
            return (commit, .success(try committer.commit(commit)))
        } catch let error as OffsetConflict {
            return (commit, .failure(error))
        } catch let error as DedupRace {
            return (commit, .failure(error))
        }
    }

    private func afterCommit(_ commit: CheckpointCommit, commitID: Int64, trigger: String, started: ContinuousClock.Instant) async throws {
        tracker.didCommit()
        let offsets = commit.offsets.mapValues(\.next)
        do {
            try await source.commit(offsets)
        } catch {
            logger.warning("Kafka offset commit failed; the store holds the offsets", metadata: ["error": "\(error)"])
        }
        try? MetricsFile.write(try store.totals(), layout: committer.layout)
        let lakeFiles = commit.files.filter { $0.finalPath.hasSuffix(".parquet") }
        let report = CommitReport(commitID: commitID, counts: processor.counts, files: lakeFiles,
                                  deadLetters: processor.deadLetters.count, offsets: offsets, duration: .now - started,
                                  committedAtMicros: RFC3339.nowMicros(), trigger: trigger,
                                  lastEventMicros: processor.lastEventMicros,
                                  sourceTimestampsMs: processor.sourceTimestampsMs)
        committedCounts.add(processor.counts)
        filesWritten += lakeFiles.count
        bytesWritten += lakeFiles.reduce(0) { $0 + $1.bytes }
        lastCommitAt = .now
        logger.info("committed", metadata: [
            "commit_id": "\(commitID)", "trigger": "\(trigger)", "records": "\(processor.counts.total)",
            "landed": "\(processor.counts.valid)", "duplicates": "\(processor.counts.duplicates)",
            "dlq": "\(processor.counts.invalid)", "files": "\(lakeFiles.count)",
            "duration_ms": "\(Int(report.duration.seconds * 1000))"])
        processor.reset()
        observer.committed?(report)
    }

    private func dropUncommitted(because reason: String) async throws {
        logger.warning("commit refused; dropping uncommitted work and rewinding", metadata: ["reason": "\(reason)"])
        processor.reset()
        await prefetcher.discard()
        let rewind = tracker.rollback(refreshed: try store.storedOffsets(tracker.assigned))
        try await source.seek(rewind)
    }
}
