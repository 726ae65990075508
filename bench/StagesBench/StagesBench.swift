// Per-stage throughput of Weir's pipeline on a JSON Lines file of pi2 events, in one process, no Kafka.
// Usage: StagesBench EVENTS.jsonl SCHEMA.yaml WORKDIR
//
// Stages are timed separately on the same events, in the order the pipeline runs them, with the pipeline's
// defaults (micro-batches of 5,000 records (500 before 2026-12-07), flush every 100,000 records, zstd, one file per date partition per flush):
//   decode            StrictJSONDecoder on every message
//   validate          Validator (Cerberus rules) on every decoded object
//   evaluate          RecordEvaluator: decode + validate + event time + row cells + dedup key (the per-record stage)
//   dlq_envelope      DLQ envelope JSON of every rejected record (what the Kafka/file DLQ sinks serialize)
//   dedup_lookup      SQLiteCheckpointStore.seenKeys, one call per micro-batch of batch.max_poll_records records
//   dedup_insert      SQLiteCheckpointStore.commit of the accepted keys, one transaction per flush
//   parquet_encode    RowBuffer append + ParquetFileWriter (zstd) into memory, per date partition per flush
//   stage_files       LakeCommitter.stage: encode + write + fsync the staging files
//   commit            LakeCommitter.commit: fsync staging dir, store transaction (offsets + keys + files),
//                     rename into the lake, fsync dirs, mark published
//   in_process        PipelineRunner over an in-memory source with the file DLQ: every stage but Kafka
// Each line: "<stage> <items> <wall s> <cpu s>"; items are what the stage handles (messages, objects, keys, rows).
import EventSchema
import Foundation
import Parquet
import Pipeline

struct Clock {
    let wall: Double
    let cpu: Double
    static func now() -> Clock {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Clock(wall: Double(DispatchTime.now().uptimeNanoseconds) / 1e9, cpu: Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9)
    }
}

/// Accumulates the time of one stage over many calls.
struct Meter {
    let name: String
    var items = 0
    var wall = 0.0
    var cpu = 0.0
    init(_ name: String) { self.name = name }
    mutating func time<T>(_ n: Int, _ body: () throws -> T) rethrows -> T {
        let t0 = Clock.now()
        let result = try body()
        let t1 = Clock.now()
        items += n
        wall += t1.wall - t0.wall
        cpu += t1.cpu - t0.cpu
        return result
    }
    func report() {
        print("\(name) \(items) \(String(format: "%.4f", wall)) \(String(format: "%.4f", cpu))")
    }
}

/// The messages of the file, as one source partition.
final class MemoryRecordSource: RecordSource, @unchecked Sendable {
    let records: [SourceRecord]
    private var next = 0
    private let partition: SourcePartition

    init(records: [SourceRecord]) {
        self.records = records
        partition = SourcePartition(topic: records.first?.topic ?? "bench", partition: 0)
    }

    func start(storedOffsets: @escaping @Sendable ([SourcePartition]) -> [SourcePartition: Int64]) async throws {
        next = Int(storedOffsets([partition])[partition] ?? 0)
    }

    func poll(maxRecords: Int, timeout: Duration) async throws -> SourcePoll {
        let end = min(records.count, next + maxRecords)
        let batch = Array(records[next..<end])
        next = end
        if batch.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        return SourcePoll(records: batch, assignmentGeneration: 1, assignment: [partition])
    }

    func seek(_ offsets: [SourcePartition: Int64]) async throws {
        if let o = offsets[partition] { next = Int(o) }
    }

    func commit(_ offsets: [SourcePartition: Int64]) async throws {}
    func lag() async -> [SourcePartition: Int64] { [partition: Int64(records.count - next)] }
    func close() async {}
}

@main
struct StagesBench {
    static func main() async throws {
        let args = CommandLine.arguments
        guard args.count >= 4, let data = FileManager.default.contents(atPath: args[1]) else {
            FileHandle.standardError.write(Data("usage: StagesBench EVENTS.jsonl SCHEMA.yaml WORKDIR\n".utf8))
            exit(2)
        }
        let schema = try EventSchema.load(contentsOf: args[2])
        let work = args[3]
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)

        let config = PipelineConfig()
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let nowMs = now / 1000
        var records: [SourceRecord] = []
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var start = 0
            for i in 0..<raw.count where raw[i] == 0x0A {
                if i > start {
                    records.append(SourceRecord(topic: config.topic, partition: 0, offset: Int64(records.count), key: nil,
                                                value: Array(raw[start..<i]), timestampMs: nowMs))
                }
                start = i + 1
            }
            if start < raw.count {
                records.append(SourceRecord(topic: config.topic, partition: 0, offset: Int64(records.count), key: nil,
                                            value: Array(raw[start..<raw.count]), timestampMs: nowMs))
            }
        }
        print("messages \(records.count) 0 0")

        // decode
        let decoder = StrictJSONDecoder(limits: JSONLimits(maxDepth: config.maxDepth, maxBytes: config.maxMessageBytes))
        var objects: [JSONObject] = []
        objects.reserveCapacity(records.count)
        var m = Meter("decode")
        m.time(records.count) {
            for r in records {
                if case .object(let o)? = try? decoder.decode(r.value!) { objects.append(o) }
            }
        }
        m.report()

        // validate
        let validator = Validator(schema: schema)
        var valid = 0
        m = Meter("validate")
        m.time(objects.count) { for o in objects where validator.validate(o).isValid { valid += 1 } }
        m.report()
        objects = []

        // evaluate (the whole per-record stage)
        let evaluator = RecordEvaluator(schema: schema, config: config)
        var outcomes: [RecordEvaluator.Outcome] = []
        outcomes.reserveCapacity(records.count)
        m = Meter("evaluate")
        m.time(records.count) { for r in records { outcomes.append(evaluator.evaluate(r, nowMicros: now)) } }
        m.report()

        // DLQ envelopes of the rejected records
        var rejected: [DeadLetterRecord] = []
        for (r, o) in zip(records, outcomes) {
            if case .rejected(let rejection) = o {
                rejected.append(DeadLetterRecord(
                    sourceTopic: r.topic, sourcePartition: r.partition, sourceOffset: r.offset, sourceTimestampMs: r.timestampMs,
                    key: r.key, payload: r.value, rejection: rejection, schemaVersion: config.schemaVersion, failedAtMicros: now))
            }
        }
        var envelopeBytes = 0
        m = Meter("dlq_envelope")
        m.time(rejected.count) { for d in rejected { envelopeBytes += d.encodedEnvelope.count } }
        m.report()
        rejected = []

        // dedup: lookups per micro-batch (batch.max_poll_records), inserts per flush of 100,000 records, as MicroBatchProcessor does
        let dedupStore = try SQLiteCheckpointStore(path: work + "/dedup.sqlite")
        var lookup = Meter("dedup_lookup")
        var insert = Meter("dedup_insert")
        let partition = SourcePartition(topic: config.topic, partition: 0)
        var committedOffset: Int64? = nil
        var pending: [DedupKey] = []
        var pendingSet = Set<DedupKey>()
        var landed: [(RecordEvaluator.Accepted, Int)] = []  // first occurrences, with their input size
        landed.reserveCapacity(records.count)
        let notBefore = now / 1_000_000 - config.dedupTTL.components.seconds
        var buffered = 0
        func flushKeys(upTo offset: Int64) throws {
            var commit = CheckpointCommit()
            commit.offsets[partition] = OffsetAdvance(expected: committedOffset, next: offset)
            commit.dedupKeys = pending
            commit.committedAt = now / 1_000_000
            commit.dedupNotBefore = notBefore
            _ = try insert.time(pending.count) { try dedupStore.commit(commit) }
            committedOffset = offset
            pending = []
            pendingSet = []
            buffered = 0
        }
        var batchStart = 0
        while batchStart < records.count {
            let batchEnd = min(records.count, batchStart + config.maxPollRecords)
            var keys: [DedupKey] = []
            for i in batchStart..<batchEnd {
                if case .accepted(let a) = outcomes[i], let key = a.key, !pendingSet.contains(key) { keys.append(key) }
            }
            let seen = try lookup.time(keys.count) { try dedupStore.seenKeys(keys, notBefore: notBefore) }
            for i in batchStart..<batchEnd {
                buffered += 1
                guard case .accepted(let a) = outcomes[i] else { continue }
                if let key = a.key {
                    if pendingSet.contains(key) || seen.contains(key) { continue }
                    pendingSet.insert(key)
                    pending.append(key)
                }
                landed.append((a, records[i].value?.count ?? 0))
            }
            batchStart = batchEnd
            if buffered >= config.flushRows { try flushKeys(upTo: Int64(batchStart)) }
        }
        if buffered > 0 { try flushKeys(upTo: Int64(records.count)) }
        lookup.report()
        insert.report()
        print("landed \(landed.count) 0 0")
        outcomes = []

        // Parquet encode (memory), per date partition per flush of 100,000 input records (~85,000 landed rows)
        let layout = TableLayout(schema: schema, config: config)
        let parquetSchema = layout.parquetSchema
        var options = ParquetWriterOptions()
        options.compression = .zstd
        options.rowGroupMaxRows = config.parquet.rowGroupRows
        options.pageMaxBytes = config.parquet.pageBytes
        let rowsPerFlush = max(1, Int(Double(config.flushRows) * Double(landed.count) / Double(max(1, records.count))))
        var flushes: [[Int64: RowBuffer]] = []
        var encode = Meter("parquet_encode")
        var encodedBytes = 0
        var chunkStart = 0
        while chunkStart < landed.count {
            let chunkEnd = min(landed.count, chunkStart + rowsPerFlush)
            var buffers: [Int64: RowBuffer] = [:]
            try encode.time(chunkEnd - chunkStart) {
                for (a, size) in landed[chunkStart..<chunkEnd] {
                    buffers[a.bucket, default: RowBuffer(layout: layout)].append(a.row, inputBytes: size)
                }
                for (_, buffer) in buffers.sorted(by: { $0.key < $1.key }) {
                    let sink = ParquetMemorySink()
                    let writer = try ParquetFileWriter(sink: sink, schema: parquetSchema, options: options)
                    try writer.write(buffer.columnValues())
                    _ = try writer.close()
                    encodedBytes += sink.bytes.count
                }
            }
            flushes.append(buffers)
            chunkStart = chunkEnd
        }
        encode.report()
        print("parquet_bytes \(encodedBytes) 0 0")
        landed = []

        // Staging files + commit through LakeCommitter, on a fresh lake
        let lake = LakeLayout(root: work + "/lake")
        try lake.createDirectories()
        let lakeStore = try SQLiteCheckpointStore(path: lake.storePath)
        let committer = try LakeCommitter(layout: lake, store: lakeStore, writerOptions: options)
        var stage = Meter("stage_files")
        var commitMeter = Meter("commit")
        var offset: Int64 = 0
        var expected: Int64? = nil
        for buffers in flushes {
            var commit = CheckpointCommit()
            let rows = buffers.values.reduce(0) { $0 + $1.rowCount }
            try stage.time(rows) {
                for (bucket, buffer) in buffers.sorted(by: { $0.key < $1.key }) {
                    let dir = config.partitioning.directory(forMicros: bucket * 86_400_000_000)
                    commit.files.append(try committer.stage(buffer, directory: dir, schema: parquetSchema))
                }
            }
            offset += Int64(config.flushRows)
            commit.offsets[partition] = OffsetAdvance(expected: expected, next: offset)
            commit.committedAt = now / 1_000_000
            _ = try commitMeter.time(rows) { try committer.commit(commit) }
            expected = offset
        }
        stage.report()
        commitMeter.report()
        committer.close()
        flushes = []

        // Every stage but Kafka: the run loop over an in-memory source, default settings, file DLQ
        let runLayout = LakeLayout(root: work + "/run")
        try runLayout.createDirectories()
        let runStore = try SQLiteCheckpointStore(path: runLayout.storePath)
        let runCommitter = try LakeCommitter(layout: runLayout, store: runStore, writerOptions: options)
        let source = MemoryRecordSource(records: records)
        records = []
        let runner = PipelineRunner(config: config, source: source, store: runStore, committer: runCommitter,
                                    deadLetters: FileDeadLetterSink(), evaluator: evaluator,
                                    options: .init(untilIdle: .milliseconds(100)))
        let t0 = Clock.now()
        try await runner.run()
        let t1 = Clock.now()
        let active = runner.firstPollAt.flatMap { f in runner.lastCommitAt.map { ($0 - f) } }
        let activeSeconds = active.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? (t1.wall - t0.wall)
        print("in_process \(runner.committedCounts.total) \(String(format: "%.4f", activeSeconds)) \(String(format: "%.4f", t1.cpu - t0.cpu))")
        print("in_process_landed \(runner.committedCounts.valid) 0 0")
    }
}
