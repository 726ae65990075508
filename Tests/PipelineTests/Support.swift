import Foundation
import WeirTestSupport
import Testing
@testable import Pipeline

/// Paths of the repository and of its test data.
enum Paths {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schema = repoRoot.appendingPathComponent("schemas/pi2_events.v1.yaml").path
    static let poison = repoRoot.appendingPathComponent("testdata/fixtures/corpus/poison.jsonl").path

    /// A fresh, empty temporary directory (removed when the test process exits; see `TestDirectories`).
    static func tempDir(_ name: String) -> String {
        TestDirectories.make("pipeline-\(name)")
    }

    /// Regular files under `dir` whose path ends in `suffix`, recursively.
    static func files(under dir: String, suffix: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        for case let rel as String in e where rel.hasSuffix(suffix) {
            out.append(dir + "/" + rel)
        }
        return out.sorted()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Runs testdata/oracles/lake_query.py (DuckDB / pyarrow) with the repo's .venv Python and parses its JSON.
enum LakeOracle {
    static func run(_ args: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: PythonOracle.run("lake_query.py", args))
    }

    /// Rows of the lake as DuckDB reads them with Hive partitioning.
    static func rows(_ dir: String) throws -> [[String: Any]] {
        guard let rows = try run(["rows", dir]) as? [[String: Any]] else { throw TestFailure("rows: not a list") }
        return rows
    }

    /// pyarrow schema text per file.
    static func schemas(_ dir: String) throws -> [String: String] {
        guard let s = try run(["schemas", dir]) as? [String: String] else { throw TestFailure("schemas: not an object") }
        return s
    }
}

/// A `RecordSource` over in-memory records of one partition, behaving like the Kafka source: every assignment
/// (the start, and each injected rebalance) starts the partition at the store's offset (or 0), and bumps the
/// generation. Records seeks and commits.
final class InMemoryRecordSource: RecordSource, @unchecked Sendable {
    let partition: SourcePartition
    private let records: [SourceRecord]
    private let lock = NSLock()
    private var position: Int64 = 0
    private var generation = 0
    private var polls = 0
    private var storedOffsets: (@Sendable ([SourcePartition]) -> [SourcePartition: Int64])?
    /// Poll numbers (1-based) at which a rebalance happens: the poll reports a new generation.
    private let rebalanceAtPolls: Set<Int>
    private(set) var seeks: [[SourcePartition: Int64]] = []
    private(set) var commits: [[SourcePartition: Int64]] = []
    private(set) var rebalances = 0
    /// Called with the poll number (1-based) before each poll is served: lets a test act as another writer.
    var beforePoll: (@Sendable (Int) -> Void)?
    /// Whether a poll that reaches the end says so (`SourcePoll.drained`), as the Kafka source does.
    var reportsDrained = false
    /// How long a poll with nothing to return waits before returning (a Kafka poll waits for its timeout), unless
    /// `releaseEmptyPoll` says it may return earlier.
    var emptyPollDelay: Duration = .milliseconds(5)
    var releaseEmptyPoll: (@Sendable () -> Bool)?
    /// Records returned by polls so far (a record read again counts again).
    var servedRecords: Int { lock.withLock { served } }
    private var served = 0
    /// Polls started and not yet returned.
    var pollsInFlight: Int { lock.withLock { inFlight } }
    private var inFlight = 0
    /// Empty polls that have returned so far.
    var emptyPollsReturned: Int { lock.withLock { emptyPolls } }
    private var emptyPolls = 0

    init(topic: String = "pi2_events", partition: Int32 = 0, values: [[UInt8]?], rebalanceAtPolls: Set<Int> = []) {
        self.partition = SourcePartition(topic: topic, partition: partition)
        records = values.enumerated().map { i, v in
            SourceRecord(topic: topic, partition: partition, offset: Int64(i), key: nil, value: v,
                         timestampMs: 1_700_000_000_000 + Int64(i))
        }
        self.rebalanceAtPolls = rebalanceAtPolls
    }

    private func assign() {
        let stored = storedOffsets?([partition]) ?? [:]
        position = max(stored[partition] ?? 0, lowWatermark)  // like Kafka: nothing below the first record
        generation += 1
    }

    func start(storedOffsets: @escaping @Sendable ([SourcePartition]) -> [SourcePartition: Int64]) async throws {
        lock.withLock {
            self.storedOffsets = storedOffsets
            assign()
        }
    }

    func poll(maxRecords: Int, timeout: Duration) async throws -> SourcePoll {
        let number = lock.withLock { polls += 1; inFlight += 1; return polls }
        defer { lock.withLock { inFlight -= 1 } }
        beforePoll?(number)
        let poll: SourcePoll = lock.withLock {
            let start = Int(position)
            let end = min(records.count, start + maxRecords)
            let batch = start < end ? Array(records[start..<end]) : []
            position = Int64(end)
            served += batch.count
            if rebalanceAtPolls.contains(number) {
                // The partition is revoked and assigned again during this poll: the records may predate it.
                rebalances += 1
                assign()
            }
            return SourcePoll(records: batch, assignmentGeneration: generation, assignment: [partition],
                              drained: reportsDrained && end == records.count)
        }
        if poll.records.isEmpty {
            let end = ContinuousClock.now + emptyPollDelay
            repeat {
                try await Task.sleep(for: .milliseconds(5))
            } while ContinuousClock.now < end && !(releaseEmptyPoll?() ?? false)
            lock.withLock { emptyPolls += 1 }
        }
        return poll
    }

    /// The first offset the partition still holds (earlier records "deleted by retention"; a poll never returns them).
    var lowWatermark: Int64 = 0

    func offsetBounds(_ partitions: [SourcePartition]) async -> [SourcePartition: OffsetBounds] {
        partitions.contains(partition) ? [partition: OffsetBounds(low: lowWatermark, high: Int64(records.count))] : [:]
    }

    func seek(_ offsets: [SourcePartition: Int64]) async throws {
        lock.withLock {
            seeks.append(offsets)
            if let o = offsets[partition] { position = max(o, lowWatermark) }  // below the first record: Kafka resets to it
        }
    }

    func commit(_ offsets: [SourcePartition: Int64]) async throws {
        lock.withLock { commits.append(offsets) }
    }

    func lag() async -> [SourcePartition: Int64] { [:] }
    func close() async {}

    /// The cluster id this source reports (nil: none, like a source without one).
    var reportedClusterID: String?
    func clusterID() async -> String? { reportedClusterID }

    func fingerprints(at offsets: [SourcePartition: Int64]) async -> [SourcePartition: RecordFingerprint]? {
        var out: [SourcePartition: RecordFingerprint] = [:]
        for (p, o) in offsets where p == partition && o >= lowWatermark && o < Int64(records.count) {
            out[p] = RecordFingerprint(records[Int(o)])
        }
        return out
    }

    /// What `groupProgress()` answers (the topic's other partitions, held by other members); nil: only this
    /// source's partition, read by nobody else.
    var groupProgressAnswer: (@Sendable () -> [SourcePartition: GroupProgress]?)?
    /// Times `groupProgress()` was asked.
    var groupProgressQueries: Int { lock.withLock { progressQueries } }
    private var progressQueries = 0

    func groupProgress() async -> [SourcePartition: GroupProgress]? {
        lock.withLock { progressQueries += 1 }
        return groupProgressAnswer?() ?? [:]
    }

    /// What `groupCommitted` answers: the group's name and committed offsets (nil: no group).
    var groupCommittedAnswer: (group: String, offsets: [SourcePartition: Int64])?
    /// How many of the next `groupCommitted` questions fail (as a group coordinator that does not answer in time).
    var groupCommittedFailures = 0
    /// How many times `groupCommitted` was asked.
    private(set) var groupCommittedQuestions = 0

    func groupCommitted(_ partitions: [SourcePartition]) async throws -> (group: String, offsets: [SourcePartition: Int64])? {
        groupCommittedQuestions += 1
        if groupCommittedFailures > 0 {
            groupCommittedFailures -= 1
            throw GroupOffsetsUnavailable(group: groupCommittedAnswer?.group ?? "none", brokers: "in-memory",
                                          cause: "Local: Timed out")
        }
        return groupCommittedAnswer.map { answer in (answer.group, answer.offsets.filter { partitions.contains($0.key) }) }
    }
}

/// A value shared with `@Sendable` closures in tests.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    /// Changes the value in place, holding the lock (a read and a write in one step).
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
}
