/// Per-partition consumption state: where the store says each assigned partition stands, how far this instance
/// has processed since its last commit, and where to rewind to if that work is dropped.
///
/// Pure state machine, tested without Kafka.
public struct PartitionTracker: Sendable {
    struct State: Sendable {
        var stored: Int64?
        var next: Int64?
        var firstSinceCommit: Int64?
        /// Work handed to a commit still in flight: its first offset and the next offset it commits.
        var inFlight: (first: Int64, next: Int64)?
        /// The fingerprint of the record at `next - 1`, when it was processed by `advance(over:)`.
        var lastFingerprint: RecordFingerprint?
    }
    private var states: [SourcePartition: State] = [:]

    public init() {}

    /// The assigned partitions.
    public var assigned: [SourcePartition] { Array(states.keys) }

    /// The store's next offset of an assigned partition, as last read or committed.
    public func storedOffset(_ partition: SourcePartition) -> Int64? { states[partition]?.stored }

    /// Replaces the assignment; `stored` is the store's next offset per partition (absent: none stored).
    public mutating func assign(_ partitions: [SourcePartition], stored: [SourcePartition: Int64]) {
        states = [:]
        for p in partitions { states[p] = State(stored: stored[p], next: stored[p], firstSinceCommit: nil) }
    }

    /// Whether `record` should be processed: its partition is assigned and it is not behind what was processed.
    public func accepts(_ partition: SourcePartition, offset: Int64) -> Bool {
        guard let s = states[partition] else { return false }
        return s.next.map { offset >= $0 } ?? true
    }

    /// Records that `offset` of `partition` was processed; `fingerprint` is that record's.
    public mutating func advance(_ partition: SourcePartition, offset: Int64, fingerprint: RecordFingerprint? = nil) {
        guard var s = states[partition] else { return }
        if s.firstSinceCommit == nil { s.firstSinceCommit = offset }
        s.next = offset + 1
        s.lastFingerprint = fingerprint
        states[partition] = s
    }

    /// The records of a poll that `accepts` keeps, in order. Each run of consecutive records of one partition is
    /// looked up once (a poll's records come in such runs, in offset order). When it keeps every record (the usual
    /// poll), `records` itself is returned: no copy of the array.
    public func accepted(_ records: [SourceRecord]) -> [SourceRecord] {
        var keepsAll = true
        forEachRun(records) { partition, run in
            guard keepsAll else { return }
            guard let s = states[partition] else { keepsAll = false; return }
            if let next = s.next, run.indices.contains(where: { run[$0].offset < next }) { keepsAll = false }
        }
        if keepsAll { return records }
        var out: [SourceRecord] = []
        out.reserveCapacity(records.count)
        forEachRun(records) { partition, run in
            guard let s = states[partition] else { return }
            if let next = s.next {
                for r in run where r.offset >= next { out.append(r) }
            } else {
                out.append(contentsOf: run)
            }
        }
        return out
    }

    /// Records that `records` (accepted, in offset order per partition) were processed: `advance` for each,
    /// applied once per run of one partition's records.
    public mutating func advance(over records: [SourceRecord]) {
        forEachRun(records) { partition, run in
            guard var s = states[partition], let first = run.first, let last = run.last else { return }
            if s.firstSinceCommit == nil { s.firstSinceCommit = first.offset }
            s.next = last.offset + 1
            s.lastFingerprint = RecordFingerprint(last)
            states[partition] = s
        }
    }

    private func forEachRun(_ records: [SourceRecord], _ body: (SourcePartition, ArraySlice<SourceRecord>) -> Void) {
        var start = records.startIndex
        while start < records.endIndex {
            // Fields are read in place: binding a whole record would copy (retain) its buffers.
            let partition = records[start].sourcePartition
            var end = start + 1
            while end < records.endIndex, records[end].partition == partition.partition, records[end].topic == partition.topic {
                end += 1
            }
            body(partition, records[start..<end])
            start = end
        }
    }

    /// Whether anything was processed since the last commit.
    public var hasProgress: Bool { states.values.contains { $0.firstSinceCommit != nil } }

    /// The offset advances of partitions with progress, for the commit's compare-and-set.
    public var advances: [SourcePartition: OffsetAdvance] {
        var out: [SourcePartition: OffsetAdvance] = [:]
        for (p, s) in states where s.firstSinceCommit != nil {
            if let next = s.next { out[p] = OffsetAdvance(expected: s.stored, next: next, fingerprint: s.lastFingerprint) }
        }
        return out
    }

    /// Hands the progress made so far to a commit that runs while processing goes on: `advances` no longer
    /// includes it, and `didCommit()` later makes exactly it durable.
    public mutating func handOff() {
        for (p, var s) in states where s.firstSinceCommit != nil {
            if let first = s.firstSinceCommit, let next = s.next { s.inFlight = (first, next) }
            s.firstSinceCommit = nil
            states[p] = s
        }
    }

    /// After a durable commit: the stored offsets are now the handed-off ones (or, with no hand-off, the
    /// processed ones).
    public mutating func didCommit() {
        let handedOff = states.values.contains { $0.inFlight != nil }
        for (p, var s) in states {
            if let inFlight = s.inFlight {
                s.stored = inFlight.next
                s.inFlight = nil
            } else if !handedOff, s.firstSinceCommit != nil {
                // No hand-off: the commit covered everything processed.
                s.stored = s.next
                s.firstSinceCommit = nil
            } else {
                continue  // progress made after the hand-off belongs to the next commit
            }
            states[p] = s
        }
    }

    /// Drops uncommitted progress. Returns where each partition with progress must be rewound to (its stored
    /// offset, or the first offset processed when nothing is stored), after refreshing stored offsets.
    public mutating func rollback(refreshed stored: [SourcePartition: Int64]) -> [SourcePartition: Int64] {
        var rewind: [SourcePartition: Int64] = [:]
        for (p, var s) in states {
            let target = stored[p] ?? s.stored ?? s.inFlight?.first ?? s.firstSinceCommit
            if s.firstSinceCommit != nil || s.inFlight != nil || stored[p] != s.stored, let target { rewind[p] = target }
            s.stored = stored[p] ?? s.stored
            s.next = target
            s.firstSinceCommit = nil
            s.inFlight = nil
            s.lastFingerprint = nil
            states[p] = s
        }
        return rewind
    }
}
