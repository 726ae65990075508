import Foundation
import Pipeline

/// A `RecordSource` of generated pi2 events for `weir simulate`: one partition (`simulate[0]`), offsets
/// 0..<count, deterministic for a seed. On (re)start it resumes at the store's offset by regenerating and
/// skipping the events before it, so a simulation interrupted by a crash lands the same events exactly once.
final class GeneratedRecordSource: RecordSource, @unchecked Sendable {
    static let topic = "simulate"
    private let count: Int
    private let initial: Pi2EventGenerator
    private var generator: Pi2EventGenerator
    private var nextOffset: Int64 = 0
    private var generation = 0
    private var assignment: [SourcePartition] = []
    private let partition = SourcePartition(topic: GeneratedRecordSource.topic, partition: 0)
    /// Guards `nextOffset` against `lag()` from the telemetry task; polls and seeks never overlap.
    private let lock = NSLock()

    init(count: Int, generator: Pi2EventGenerator) {
        self.count = count
        self.generator = generator
        initial = generator
        self.generator.reserve(lines: count)
    }

    func start(storedOffsets: @escaping @Sendable ([SourcePartition]) -> [SourcePartition: Int64]) async throws {
        let start = storedOffsets([partition])[partition] ?? 0
        while nextOffset < start { _ = generator.next(); nextOffset += 1 }
        assignment = [partition]
        generation = 1
    }

    func poll(maxRecords: Int, timeout: Duration) async throws -> SourcePoll {
        var records: [SourceRecord] = []
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        while records.count < maxRecords && nextOffset < Int64(count) {
            records.append(SourceRecord(topic: partition.topic, partition: 0, offset: nextOffset, key: nil,
                                        value: generator.next(), timestampMs: now))
            lock.withLock { nextOffset += 1 }
        }
        if records.isEmpty { try await Task.sleep(for: min(timeout, .milliseconds(50))) }
        return SourcePoll(records: records, assignmentGeneration: generation, assignment: assignment)
    }

    func seek(_ offsets: [SourcePartition: Int64]) async throws {
        guard let target = offsets[partition] else { return }
        if target < nextOffset {
            generator = initial
            generator.reserve(lines: count)
            nextOffset = 0
        }
        while nextOffset < target { _ = generator.next(); nextOffset += 1 }
    }

    func commit(_ offsets: [SourcePartition: Int64]) async throws {}

    func lag() async -> [SourcePartition: Int64] { [partition: Int64(count) - lock.withLock { nextOffset }] }

    func close() async {}
}
