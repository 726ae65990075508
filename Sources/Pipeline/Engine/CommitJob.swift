import Foundation
import Logging
import Parquet

/// How a commit ended.
enum CommitOutcome: Sendable {
    /// Durable; the report describes it.
    case committed(CommitReport)
    /// Refused by the store (`OffsetConflict`, `DedupRace`); the DLQ records it delivered are listed so that a
    /// second attempt does not send them again.
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
    let committer: LakeCommitter
    let store: CheckpointStore
    let logger: Logger

    func run() async throws -> CommitOutcome {
        let started = ContinuousClock.now
        if let gate {
            guard await gate.acquire() == generation else {
                gate.release()
                return .abandoned
            }
        }
        let result: Result<(CheckpointCommit, Int64, CommitPhases, DeadLetterTally), Error>
        do {
            result = try await deliverAndCommit()
        } catch {
            gate?.release()
            throw error
        }
        gate?.release()
        switch result {
        case .failure(let error):
            let delivered = Set(work.deadLetters.map {
                SourceCoordinate(topic: $0.sourceTopic, partition: $0.sourcePartition, offset: $0.sourceOffset)
            })
            return .refused("\(error)", delivered: delivered)
        case .success(let (commit, commitID, phases, tally)):
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

    /// Delivers the DLQ records, stages the lake files and runs the store transaction, timing each. A refused
    /// commit is a failure result; other errors are thrown.
    private func deliverAndCommit() async throws -> Result<(CheckpointCommit, Int64, CommitPhases, DeadLetterTally), Error> {
        let deliveryStarted = ContinuousClock.now
        var phases = CommitPhases()
        let delivery = try await deadLetters.deliver(work.deadLetters, committer: committer)
        phases.deadLetters = .now - deliveryStarted
        var commit = CheckpointCommit()
        commit.offsets = advances
        commit.dedupKeys = work.keys
        commit.committedAt = Int64(Date().timeIntervalSince1970)
        commit.dedupNotBefore = commit.committedAt - dedupTTL.components.seconds
        commit.totals = work.counts.totals
        if !delivery.marks.isEmpty {
            for partition in markPartitions { commit.deadLetterMarks[partition] = delivery.marks }
        }
        let (work, committer, schema, staged) = (work, committer, schema, delivery.stagedFiles)
        let (preparedCommit, deliveryPhases) = (commit, phases)
        let tally = DeadLetterTally(truncated: delivery.truncated, toFile: delivery.toFile)
        // Encoding, fsync and the store transaction block: they run on the commit queue, off the cooperative pool.
        return try await OffPool.run(on: Self.queue) { () throws -> Result<(CheckpointCommit, Int64, CommitPhases, DeadLetterTally), Error> in
            var commit = preparedCommit
            var phases = deliveryPhases
            let filesStarted = ContinuousClock.now
            for (_, buffer) in work.buffers.sorted(by: { $0.key < $1.key }) where buffer.rows.rowCount > 0 {
                commit.files.append(try committer.stage(buffer.rows, directory: buffer.directory, schema: schema))
            }
            commit.files.append(contentsOf: staged)
            let storeStarted = ContinuousClock.now
            phases.files = storeStarted - filesStarted
            do {
                let commitID = try committer.commit(commit)
                phases.store = .now - storeStarted
                return .success((commit, commitID, phases, tally))
            } catch let error as OffsetConflict {
                return .failure(error)
            } catch let error as DedupRace {
                return .failure(error)
            }
        }
    }

    /// Where commits stage files and run the store transaction; serial, one commit is in flight at a time anyway.
    private static let queue = DispatchQueue(label: "weir.commit")
}

/// How many of a commit's DLQ records were cut to fit, or went to the file DLQ instead of the topic.
struct DeadLetterTally: Sendable {
    let truncated: Int
    let toFile: Int
}

/// A thread-safe boolean, set by the commit task when it ends and read by the run loop.
final class AtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = true

    var value: Bool { lock.withLock { _value } }
    func set(_ value: Bool) { lock.withLock { _value = value } }
}
