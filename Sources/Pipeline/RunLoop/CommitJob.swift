import Foundation
import Logging
import Parquet

/// How a commit ended.
enum CommitOutcome: Sendable {
    /// Durable; the report describes it.
    case committed(CommitReport)
    /// Refused by the store (`OffsetConflict`, `DedupRace`, `PartitionOwnedElsewhere`); the DLQ records it delivered
    /// are listed so that a second attempt does not send them again.
    case refused(String, delivered: Set<SourceCoordinate>)
    /// Not attempted: the assignment changed after the work was read.
    case abandoned
}

/// One commit of handed-off work, run as its own task while the run loop keeps processing (see `LakeCommitter`
/// for the protocol). Holds the assignment gate from before the DLQ delivery until the store transaction ends.
struct CommitJob: Sendable {
    let work: PendingWork
    let advances: [SourcePartition: OffsetAdvance]
    /// Partitions whose DLQ scan mark may move to the high watermark after this commit's delivery.
    let markPartitions: [SourcePartition]
    let generation: Int
    let trigger: String
    let dedupTTL: Duration
    let schema: ParquetSchema
    let gate: AssignmentGate?
    let source: RecordSource
    let deadLetters: DeadLetterSink
    let committer: TableCommit
    let store: CheckpointStore
    let logger: Logger
    /// Store transactions tried before a commit that keeps hitting `DedupRace` is refused (at least 1).
    var raceAttempts = 3

    func run() async throws -> CommitOutcome {
        let started = ContinuousClock.now
        if let gate {
            guard await gate.acquire() == generation else {
                gate.release()
                return .abandoned
            }
        }
        let result: Result<Committed, Refusal>
        do {
            result = try await deliverAndCommit()
        } catch {
            gate?.release()
            throw error
        }
        gate?.release()
        switch result {
        case .failure(let refusal):
            // DLQ records a sink delivered durably (Kafka) are not sent again; staged DLQ files (the file sink) were
            // deleted with the refused commit, so their records must be dead-lettered again.
            let delivered = !refusal.deadLettersDurable ? [] : Set(work.deadLetters.map {
                SourceCoordinate(topic: $0.sourceTopic, partition: $0.sourcePartition, offset: $0.sourceOffset)
            })
            return .refused("\(refusal.error)", delivered: delivered)
        case .success(let (commit, commitID, phases, work, tally)):
            let offsets = commit.offsets.mapValues(\.next)
            do {
                try await source.commit(offsets)
            } catch {
                logger.warning("Kafka offset commit failed; the store holds the offsets", metadata: ["error": "\(error)"])
            }
            try? MetricsFile.write(try store.totals(), layout: committer.layout)
            return .committed(CommitReport(
                commitID: commitID, counts: work.counts, files: commit.files.filter { $0.finalPath.hasSuffix(".parquet") },
                deadLetters: work.deadLetters.count, offsets: offsets, duration: .now - started, phases: phases,
                committedAtMicros: RFC3339.nowMicros(), trigger: trigger, lastEventMicros: work.lastEventMicros,
                sourceTimestampsMs: work.sourceTimestampsMs, deadLettersTruncated: tally.truncated,
                deadLettersToFile: tally.toFile))
        }
    }

    /// A durable commit: what it recorded, its id, its phases, the work it covered, and its DLQ deliveries.
    typealias Committed = (CheckpointCommit, Int64, CommitPhases, PendingWork, DeadLetterTally)

    /// Delivers the DLQ records, stages the lake files and runs the store transaction, timing each. A refused
    /// commit is a failure result; other errors are thrown.
    ///
    /// A `DedupRace` (another instance sharing the lake landed some of this batch's keys after they were looked
    /// up) drops just those rows, now duplicates, and commits the rest again: the transaction was rolled back, so
    /// nothing of the first attempt is durable, and the retry's offset compare-and-set still fences a writer that
    /// moved a partition meanwhile. Only after `raceAttempts` races is the commit refused.
    ///
    /// The DLQ topic's sink asks a `DeliveryFence` before each send: a partition another instance claimed refuses
    /// the commit before anything is sent (`PartitionOwnedElsewhere`), and the commit ends the permits it took.
    private func deliverAndCommit() async throws -> Result<Committed, Refusal> {
        let deliveryStarted = ContinuousClock.now
        var phases = CommitPhases()
        try committer.ensureWriterLive()  // a fenced zombie must not send DLQ records for work it cannot commit
        // A zombie whose partitions another instance claimed sends no DLQ record: the new owner delivers them.
        let fence: DeliveryFence? = if let timeout = deadLetters.deliveryTimeout {
            DeliveryFence(store: store, owner: committer.instance, partitions: advances.keys.sorted(),
                          window: DeliveryWindow(messageTimeout: timeout))
        } else { nil }
        let delivery: DeadLetterDelivery
        do {
            delivery = try await deadLetters.deliver(work.deadLetters, committer: committer, permit: fence?.permit ?? .unfenced)
        } catch let lost as PartitionOwnedElsewhere {
            // The refused send produced nothing. Records an earlier send of this delivery produced (those before
            // their minimal envelopes) are found by the DLQ scan of whichever instance owns the partition next.
            Self.endPermits(of: fence, in: store)
            return .failure(Refusal(error: lost, deadLettersDurable: false))
        }
        phases.deadLetters = .now - deliveryStarted
        var commit = CheckpointCommit()
        commit.offsets = advances
        commit.committedAt = Int64(Date().timeIntervalSince1970)
        commit.dedupNotBefore = commit.committedAt - dedupTTL.components.seconds
        if !delivery.marks.isEmpty {
            for partition in markPartitions { commit.deadLetterMarks[partition] = delivery.marks }
        }
        // The delivery is acknowledged: its permits end with the commit, so the next owner need not wait for them.
        if let fence, fence.granted { commit.endsDeliveriesOf = fence.owner }
        // Claimed at assignment (`PartitionOwnership`): a partition another instance claimed since refuses the commit.
        commit.ownedBy = committer.instance
        let (work, committer, schema, staged, logger) = (work, committer, schema, delivery.stagedFiles, logger)
        let checkpointStore = store
        let raceAttempts = max(1, raceAttempts)
        let (preparedCommit, deliveryPhases) = (commit, phases)
        let tally = DeadLetterTally(truncated: delivery.truncated, toFile: delivery.toFile)
        // Encoding, fsync and the store transaction block: they run on the commit queue, off the cooperative pool.
        let durable = staged.isEmpty
        return try await OffPool.run(on: Self.queue) { () throws -> Result<Committed, Refusal> in
            var work = work
            var phases = deliveryPhases
            for attempt in 1...raceAttempts {
                var commit = preparedCommit
                commit.dedupKeys = work.keys
                commit.keyLookups = work.keyLookups
                commit.totals = work.counts.totals
                let filesStarted = ContinuousClock.now
                let buffers = work.buffers.sorted(by: { $0.key < $1.key }).filter { $0.value.rows.rowCount > 0 }
                    .map { (rows: $0.value.rows, directory: $0.value.directory) }
                commit.files += try committer.stage(buffers, schema: schema)
                commit.files.append(contentsOf: staged)
                let storeStarted = ContinuousClock.now
                phases.files += storeStarted - filesStarted
                // The DLQ files staged by the delivery are committed again by a retry: kept if this attempt races.
                let retryable = attempt < raceAttempts ? Set(staged.map(\.stagingPath)) : []
                do {
                    let commitID = try committer.commit(commit, keepingOnRefusal: retryable)
                    phases.store += .now - storeStarted
                    return .success((commit, commitID, phases, work, tally))
                } catch where error is OffsetConflict || error is TablePointerConflict || error is PartitionOwnedElsewhere {
                    for f in staged { try? FileManager.default.removeItem(atPath: f.stagingPath) }
                    Self.endPermits(of: fence, in: checkpointStore)
                    return .failure(Refusal(error: error, deadLettersDurable: durable))
                } catch let race as DedupRace {
                    guard attempt < raceAttempts else {
                        Self.endPermits(of: fence, in: checkpointStore)
                        return .failure(Refusal(error: race, deadLettersDurable: durable))
                    }
                    logger.info("dedup race: committing again without the rows another writer landed meanwhile", metadata: [
                        "duplicates": "\(race.conflicting.count)", "keys": "\(race.expected)", "attempt": "\(attempt)"])
                    work.dropDuplicates(race.conflicting)
                }
            }
            preconditionFailure("the last attempt returns")
        }
    }

    /// Ends the permits of a refused commit whose delivery is over (acknowledged or refused), so that the next
    /// owner of its partitions need not wait for them; best effort (they expire anyway).
    private static func endPermits(of fence: DeliveryFence?, in store: CheckpointStore) {
        guard let fence, fence.granted else { return }
        try? store.endDeliveries(fence.partitions, owner: fence.owner)
    }

    /// A commit the store refused, and whether the DLQ records of its work were delivered durably before it.
    struct Refusal: Error {
        let error: Error
        let deadLettersDurable: Bool
    }

    /// Where commits stage files and run the store transaction; serial, one commit is in flight at a time anyway.
    private static let queue = DispatchQueue(label: "weir.commit")
}

/// How many of a commit's DLQ records were cut to fit, or went to the file DLQ instead of the topic.
struct DeadLetterTally: Sendable {
    let truncated: Int
    let toFile: Int
}
