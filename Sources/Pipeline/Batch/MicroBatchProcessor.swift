import Foundation

/// Runs the per-record stages over micro-batches and holds everything not yet committed: one `RowBuffer` per
/// Hive partition, the dedup keys accepted since the last commit, and the DLQ records.
///
/// Deduplication: within the uncommitted window, keys are checked against `UncommittedKeys`; against the store,
/// the batch's new keys are looked up with one batched query. The first occurrence wins.
public final class MicroBatchProcessor: @unchecked Sendable {
    public let evaluator: RecordEvaluator
    private let store: CheckpointStore
    private let config: PipelineConfig
    private let schemaVersion: String

    public private(set) var buffers: [Int64: (directory: String, rows: RowBuffer)] = [:]
    /// Dedup keys of the work buffered and of the work being committed.
    private var uncommittedKeys = UncommittedKeys()
    public var pendingKeys: [DedupKey] { uncommittedKeys.pending }
    public private(set) var deadLetters: [DeadLetterRecord] = []
    /// Source records already in the DLQ from an interrupted earlier attempt (found by the DLQ scan on assignment).
    public var alreadyDeadLettered = Set<SourceCoordinate>()
    public private(set) var counts = BatchCounts()
    public private(set) var bufferedRows = 0
    public private(set) var bufferedBytes = 0
    /// When the oldest uncommitted record was processed.
    public private(set) var oldestBufferedAt: ContinuousClock.Instant?
    /// Dedup-store lookups of the last batch and the time they took, for metrics.
    public private(set) var lastBatchLookups = 0
    public private(set) var lastBatchLookupDuration: Duration = .zero
    /// Source timestamps (unix ms) of the uncommitted records, for end-to-end latency (produce → commit).
    public private(set) var sourceTimestampsMs: [Int64] = []
    /// Event time of the last accepted record per partition (microseconds), for lag in seconds.
    public private(set) var lastEventMicros: [SourcePartition: Int64] = [:]

    /// The store's `lookupsStarted` when the uncommitted work began: its keys were all looked up since.
    private var lookupsFrom: Int64
    /// The most slices a batch is evaluated in concurrently (`sliceRanges`).
    public let evaluationSlices: Int

    /// - Parameter evaluationSlices: the most slices a batch is evaluated in concurrently, at least 1; default
    ///   `defaultEvaluationSlices`.
    public init(evaluator: RecordEvaluator, store: CheckpointStore, config: PipelineConfig,
                evaluationSlices: Int = MicroBatchProcessor.defaultEvaluationSlices) {
        self.evaluator = evaluator
        self.store = store
        self.config = config
        self.evaluationSlices = max(1, evaluationSlices)
        schemaVersion = config.schemaVersion
        lookupsFrom = store.lookupsStarted
    }

    /// Processes `records` in order and returns the counts of this batch.
    /// - Throws: `StoreError` when the dedup lookup fails.
    public func process(_ records: [SourceRecord], nowMicros: Int64) throws -> BatchCounts {
        var batch = BatchCounts()
        let (slices, seen, acceptedKeys) = try evaluateAndLookUp(records, nowMicros: nowMicros)
        if !records.isEmpty && oldestBufferedAt == nil { oldestBufferedAt = .now }
        let failedAtText = RFC3339.format(micros: nowMicros)
        // The event time of the last accepted record of the current run of one partition's records; written to
        // `lastEventMicros` once per run instead of hashing the partition for every record.
        var run: (partition: SourcePartition, micros: Int64)?
        defer { if let run { lastEventMicros[run.partition] = run.micros } }
        // The buffers and keys are mutated through locals for the loop, moved out and back (no copy): each access to
        // a class's stored property is checked for exclusivity at run time, which cost ~1% of the CPU per event.
        var buffers: [Int64: (directory: String, rows: RowBuffer)] = [:]
        var keys = UncommittedKeys()
        var timestamps: [Int64] = []
        var rows = 0, bytes = 0
        var keyCursor = 0  // accepted records with a key seen so far: their keys are `acceptedKeys` in order
        swap(&buffers, &self.buffers)
        swap(&keys, &uncommittedKeys)
        swap(&timestamps, &sourceTimestampsMs)
        defer {
            swap(&buffers, &self.buffers)
            swap(&keys, &uncommittedKeys)
            swap(&timestamps, &sourceTimestampsMs)
            bufferedRows += rows
            bufferedBytes += bytes
        }
        // The slices' outcomes in input order, read where they are (`joined()` is lazy: no merged copy). Records are
        // read field by field at their index: binding a whole record would copy (retain) its buffers. An accepted
        // record's size comes from its outcome: reading `value.count` here missed the cache for every record.
        for (i, outcome) in slices.joined().enumerated() {
            batch.total += 1
            if let ts = records[i].timestampMs { timestamps.append(ts) }
            switch outcome {
            case .rejected(let rejection):
                bytes += records[i].value?.count ?? 0
                batch.deadLettered[rejection.reason, default: 0] += 1
                for error in rejection.errors { batch.validationErrors[error.rule, default: 0] += 1 }
                let record = records[i]
                let coordinate = SourceCoordinate(topic: record.topic, partition: record.partition, offset: record.offset)
                if alreadyDeadLettered.isEmpty || !alreadyDeadLettered.contains(coordinate) {
                    deadLetters.append(DeadLetterRecord(
                        sourceTopic: record.topic, sourcePartition: record.partition, sourceOffset: record.offset,
                        sourceTimestampMs: record.timestampMs, key: record.key, payload: record.value, rejection: rejection,
                        schemaVersion: schemaVersion, failedAtMicros: nowMicros, failedAt: failedAtText))
                }
                rows += 1
            case .accepted(let accepted):
                let inputBytes = accepted.inputBytes
                bytes += inputBytes
                if let key = accepted.key {
                    // The window's table is megabytes, and the slices' prefetches of it were made on other cores
                    // or long ago: ask for the slot of the key a few records ahead (60% of this loop's own time
                    // was the miss on the insert's slot, profile of 5,000-record polls).
                    if keyCursor + Self.windowPrefetchDistance < acceptedKeys.count {
                        keys.prefetchPending(acceptedKeys[keyCursor + Self.windowPrefetchDistance])
                    }
                    keyCursor += 1
                    // A duplicate of the store or of the window as the batch began (`seen`), or of a record
                    // earlier in this batch (the insert tells).
                    if (!seen.isEmpty && seen.contains(key)) || !keys.insertNotCommitting(key) {
                        batch.duplicates += 1
                        continue
                    }
                }
                append(accepted, inputBytes: inputBytes, to: &buffers)
                if let current = run, current.partition.partition == records[i].partition,
                   current.partition.topic == records[i].topic {
                    run = (current.partition, accepted.eventMicros)
                } else {
                    if let previous = run { lastEventMicros[previous.partition] = previous.micros }
                    run = (records[i].sourcePartition, accepted.eventMicros)
                }
                batch.valid += 1
                rows += 1
            }
        }
        counts.add(batch)
        return batch
    }

    /// Evaluates records on all cores but one and looks their dedup keys up in the store: the per-record stage (decode,
    /// validate, event time, row, key) is pure, so the batch is split into contiguous slices evaluated concurrently,
    /// and each slice then looks up its own new keys, overlapping with the other slices' evaluation (the store
    /// serializes the lookups); a store whose lookups are round trips to a server (`prefersOneLookupPerBatch`)
    /// gets the whole batch's new keys in one call instead when the batch is small (under
    /// `sliceLookupMinimumRecords`), where a round trip per slice would cost more than the overlap saves. Large
    /// batches look up per slice on any store: a server answers the slices on connections of their own, and each
    /// lookup overlaps the other slices' evaluation. Outcomes keep the input order.
    /// - Returns: the outcomes, one array per slice (their concatenation follows `records`); the keys that are
    ///   duplicates of earlier work: those the store has seen within the TTL and those the uncommitted window held
    ///   when the batch began (`process` then need not check the keys being committed again: they cannot change
    ///   during one `process` call, since commits are handed off and settled between calls); and the keys of the
    ///   accepted outcomes that have one, in outcome order.
    /// - Throws: `StoreError` when a lookup fails.
    private func evaluateAndLookUp(_ records: [SourceRecord], nowMicros: Int64) throws
        -> ([[RecordEvaluator.Outcome]], DedupKeySet, [DedupKey]) {
        let evaluator = self.evaluator, store = self.store
        let uncommitted = uncommittedKeys
        let lookUpPerSlice = !store.prefersOneLookupPerBatch || records.count >= Self.sliceLookupMinimumRecords
        let notBefore = nowMicros / 1_000_000 - config.dedupTTL.components.seconds
        let ranges = Self.sliceRanges(count: records.count, maxSlices: evaluationSlices)
        let slices = ranges.count
        var parts = [SliceResult](repeating: SliceResult(), count: slices)
        let evaluateSlice: @Sendable (Int) -> SliceResult = { i in
            var part = SliceResult()
            part.outcomes = evaluator.evaluate(records[ranges[i]], nowMicros: nowMicros)
            var accepted: [DedupKey] = []
            for case .accepted(let a) in part.outcomes { if let key = a.key { accepted.append(key) } }
            part.acceptedKeys = accepted
            // The window's tables are megabytes: each check is a cache miss unless asked for some keys ahead.
            var keys: [DedupKey] = []
            keys.reserveCapacity(accepted.count)
            for i in accepted.indices {
                if i + Self.windowPrefetchDistance < accepted.count { uncommitted.prefetch(accepted[i + Self.windowPrefetchDistance]) }
                let key = accepted[i]
                if uncommitted.contains(key) { part.inWindow.append(key) } else { keys.append(key) }
            }
            guard !keys.isEmpty else { return part }
            guard lookUpPerSlice else {
                part.keys = keys
                return part
            }
            let started = ContinuousClock.now
            part.seen = Result { try store.seenKeys(keys, notBefore: notBefore) }
            part.lookups = keys.count
            part.lookupDuration = .now - started
            return part
        }
        if slices == 1 {
            parts[0] = evaluateSlice(0)
        } else {
            parts.withUnsafeMutableBufferPointer { out in
                let out = UnsafeSendable(out)
                DispatchQueue.concurrentPerform(iterations: slices) { i in out.value[i] = evaluateSlice(i) }
            }
        }
        // The keys found, in the table the per-record checks read (no SipHash per record, unlike `Set`).
        var seen = DedupKeySet()
        lastBatchLookups = 0
        lastBatchLookupDuration = .zero
        if !lookUpPerSlice {
            let keys = parts.flatMap(\.keys)
            if !keys.isEmpty {
                let started = ContinuousClock.now
                for key in try store.seenKeys(keys, notBefore: notBefore) { seen.insert(key) }
                lastBatchLookups = keys.count
                lastBatchLookupDuration = .now - started
            }
        }
        for part in parts {
            for key in part.inWindow { seen.insert(key) }
            for key in try part.seen.get() { seen.insert(key) }
            lastBatchLookups += part.lookups
            lastBatchLookupDuration += part.lookupDuration
        }
        return (parts.map(\.outcomes), seen, parts.flatMap(\.acceptedKeys))
    }

    /// The contiguous slices a batch of `count` records is evaluated in: one below 256 records, else `maxSlices`
    /// (at most one per record), their sizes differing by at most one. They cover `0..<count` in order.
    static func sliceRanges(count: Int, maxSlices: Int) -> [Range<Int>] {
        let slices = count >= 256 ? min(max(1, maxSlices), count) : 1
        return (0..<slices).map { i in (i * count / slices)..<((i + 1) * count / slices) }
    }

    /// One slice of a batch: its outcomes and the result of its dedup lookup.
    private struct SliceResult {
        var outcomes: [RecordEvaluator.Outcome] = []
        /// The keys of the slice's accepted outcomes that have one, in order.
        var acceptedKeys: [DedupKey] = []
        /// The slice's keys the uncommitted window held when the batch began (not looked up: duplicates).
        var inWindow: [DedupKey] = []
        var seen: Result<Set<DedupKey>, Error> = .success([])
        /// The slice's new keys, when the batch looks them up in one call (`CheckpointStore.prefersOneLookupPerBatch`).
        var keys: [DedupKey] = []
        var lookups = 0
        var lookupDuration: Duration = .zero
    }

    /// One slice per core but one, at least one. The core left over is not idle: librdkafka's broker thread
    /// fetches, decompresses and parses the next records, and the commit job encodes Parquet, delivers the DLQ
    /// and writes the store while the batch is evaluated. Evaluating on every core too made them contend: on 2
    /// cores, two slices instead of one cost ~8% more CPU per event at the same events/s (docs/BENCHMARKS.md,
    /// "Per-event CPU", 2026-12-07T21:45Z).
    public static let defaultEvaluationSlices = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    /// How many keys ahead a slice's check against the uncommitted window asks for the key's cache lines.
    private static let windowPrefetchDistance = 8

    /// The batch size from which a store that prefers one lookup per batch is still asked per slice. bench/pgstore
    /// (PostgreSQL, 5,000-record polls, 2 cores): 88,000 events/s with one lookup per poll, 107,000 per slice;
    /// with 500-record polls one lookup per poll was faster.
    static let sliceLookupMinimumRecords = 2_000

    /// Appends a row to its Hive partition's buffer: one hash lookup, the buffer mutated in place (the new
    /// partition's directory and buffer are made only when it is missing).
    private func append(_ accepted: RecordEvaluator.Accepted, inputBytes: Int,
                        to buffers: inout [Int64: (directory: String, rows: RowBuffer)]) {
        buffers[accepted.bucket, default: (config.partitioning.directory(forMicros: accepted.eventMicros), RowBuffer(layout: evaluator.layout))]
            .rows.append(accepted.row, inputBytes: inputBytes, key: accepted.key)
    }

    /// Whether the recovery scan found DLQ records of `partition` at or past `offset` (delivered by an interrupted
    /// attempt, not yet covered by a commit).
    public func hasAlreadyDeadLettered(_ partition: SourcePartition, atOrAfter offset: Int64) -> Bool {
        alreadyDeadLettered.contains { $0.topic == partition.topic && $0.partition == partition.partition && $0.offset >= offset }
    }

    /// Whether anything waits to be committed.
    public var isEmpty: Bool { bufferedRows == 0 && counts.total == 0 }

    /// Forgets everything uncommitted (after a commit, or to drop work on a rebalance or conflict).
    public func reset() {
        uncommittedKeys.removeAll(reservingCapacity: keyCapacity)
        clearPending()
    }

    /// Moves the uncommitted work out, for a commit that runs while processing goes on. Its keys stay visible to
    /// deduplication until `finishCommit()`.
    public func takeWork() -> PendingWork {
        // No lookup is running between batches: every lookup of this work has been answered.
        let work = PendingWork(buffers: buffers, keys: uncommittedKeys.handOff(reservingCapacity: keyCapacity),
                               deadLetters: deadLetters, counts: counts, sourceTimestampsMs: sourceTimestampsMs,
                               lastEventMicros: lastEventMicros, keyLookups: lookupsFrom..<store.lookupsStarted)
        clearPending()
        return work
    }

    /// The commit in flight finished (committed or abandoned): its keys are the store's business now.
    public func finishCommit() { uncommittedKeys.commitEnded() }

    /// Keys a flush is expected to hold, reserved up front.
    private var keyCapacity: Int { min(config.flushRows, 1 << 20) }

    private func clearPending() {
        buffers = [:]
        deadLetters = []
        counts = BatchCounts()
        bufferedRows = 0
        bufferedBytes = 0
        oldestBufferedAt = nil
        lastEventMicros = [:]
        sourceTimestampsMs = []
        lookupsFrom = store.lookupsStarted
    }
}

/// Uncommitted work handed from the processor to a commit.
public struct PendingWork: Sendable {
    public private(set) var buffers: [Int64: (directory: String, rows: RowBuffer)]
    public private(set) var keys: [DedupKey]
    public let deadLetters: [DeadLetterRecord]
    public private(set) var counts: BatchCounts
    public let sourceTimestampsMs: [Int64]
    public let lastEventMicros: [SourcePartition: Int64]
    /// The store lookups (`CheckpointStore.lookupsStarted` numbers) that found `keys` absent; empty when unknown.
    public var keyLookups: Range<Int64> = 0..<0

    /// Drops the rows whose dedup key another writer landed meanwhile (`DedupRace.conflicting`): they are
    /// duplicates now, counted as such, exactly as if the lookup had seen those keys.
    public mutating func dropDuplicates(_ conflicting: Set<DedupKey>) {
        var removed = 0
        for (bucket, buffer) in buffers {
            let (rows, n) = buffer.rows.removingRows(withKeys: conflicting)
            buffers[bucket] = (buffer.directory, rows)
            removed += n
        }
        keys.removeAll { conflicting.contains($0) }
        counts.valid -= removed
        counts.duplicates += removed
    }
}

/// Hands a buffer whose slices are written by disjoint iterations to `concurrentPerform`.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
