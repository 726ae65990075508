import EventSchema
import Foundation
import Parquet
import Testing
@testable import Pipeline

/// One pipeline over a temporary OUT_DIR with the repo's schema, a file DLQ and an in-memory source.
struct Harness {
    let root: String
    let layout: LakeLayout
    let store: SQLiteCheckpointStore
    var config: PipelineConfig

    init(_ name: String, configure: (inout PipelineConfig) -> Void = { _ in }) throws {
        root = Paths.tempDir(name) + "/out"
        layout = LakeLayout(root: root)
        try layout.createDirectories()
        store = try SQLiteCheckpointStore(path: layout.storePath)
        config = PipelineConfig()
        configure(&config)
    }

    /// Runs a fresh runner (new committer instance, as a restarted process) until the source is idle.
    @discardableResult
    func run(_ source: InMemoryRecordSource) async throws -> PipelineRunner {
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let committer = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions())
        let runner = PipelineRunner(config: config, source: source, store: store, committer: committer,
                                    deadLetters: FileDeadLetterSink(), evaluator: RecordEvaluator(schema: schema, config: config),
                                    options: .init(untilIdle: .milliseconds(250)))
        try await runner.run()
        return runner
    }

    /// Every DLQ envelope under `_dlq/`, parsed.
    func deadLetters() throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        for file in Paths.files(under: layout.deadLetterDirectory, suffix: ".jsonl") {
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
                out.append(try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])
            }
        }
        return out
    }
}

func int64(_ any: Any?) -> Int64? { (any as? NSNumber)?.int64Value }

struct PoisonCase {
    let name: String
    let value: [UInt8]?
    let expect: String
    let reason: String?
    let date: String?
}

func loadPoisonCorpus() throws -> [PoisonCase] {
    try String(contentsOfFile: Paths.poison, encoding: .utf8).split(separator: "\n").map { line in
        let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let value: [UInt8]?
        if o["value_null"] as? Bool == true {
            value = nil
        } else {
            guard let b64 = o["payload_b64"] as? String, let data = Data(base64Encoded: b64) else {
                throw TestFailure("bad corpus line \(line)")
            }
            value = Array(data)
        }
        return PoisonCase(name: o["name"] as! String, value: value, expect: o["expect"] as! String,
                          reason: o["reason"] as? String, date: o["date"] as? String)
    }
}

@Suite(.serialized) struct PipelineRunnerTests {
    @Test func poisonCorpusEndToEnd() async throws {
        let corpus = try loadPoisonCorpus()
        try #require(corpus.count == 34)
        let h = try Harness("poison")
        let source = InMemoryRecordSource(values: corpus.map(\.value))
        let runner = try await h.run(source)

        let lakeCases = corpus.indices.filter { corpus[$0].expect == "lake" }
        let dlqCases = corpus.indices.filter { corpus[$0].expect == "dlq" }
        let dupCases = corpus.indices.filter { corpus[$0].expect == "duplicate" }
        #expect(lakeCases.count + dlqCases.count + dupCases.count == corpus.count)

        // Lake: each lake case exactly once, in its date= partition.
        let rows = try LakeOracle.rows(h.root)
        var byOffset: [Int64: [[String: Any]]] = [:]
        for r in rows { byOffset[int64(r["_kafka_offset"]) ?? -1, default: []].append(r) }
        for i in lakeCases {
            let c = corpus[i]
            let found = byOffset[Int64(i)] ?? []
            #expect(found.count == 1, "\(c.name) should be in the lake once, found \(found.count)")
            #expect(found.first?["date"] as? String == c.date, "\(c.name) partition")
        }
        #expect(rows.count == lakeCases.count, "only lake cases land")
        for r in rows {
            // The partition is the UTC date of the stored instant (Foundation as the oracle).
            let ts = try #require(int64(r["ts"]))
            let c = FoundationTime.calendar.dateComponents([.year, .month, .day],
                                                          from: Date(timeIntervalSince1970: Double(ts / 1_000_000)))
            #expect(r["date"] as? String == "\(pad(c.year!, 4))-\(pad(c.month!, 2))-\(pad(c.day!, 2))")
        }
        let eventIDs = rows.compactMap { $0["event_id"] as? String }
        #expect(eventIDs.count == Set(eventIDs).count, "no event_id twice in the lake")
        if let kept = corpus.firstIndex(where: { $0.name == "unknown_field_kept" }) {
            #expect(byOffset[Int64(kept)]?.first?["_extra"] is String, "unknown field kept in _extra")
        }

        // DLQ: each dlq case exactly once with the corpus's reason.
        let dlq = try h.deadLetters()
        var dlqByOffset: [Int64: [[String: Any]]] = [:]
        for d in dlq { dlqByOffset[int64((d["source"] as? [String: Any])?["offset"]) ?? -1, default: []].append(d) }
        for i in dlqCases {
            let c = corpus[i]
            let found = dlqByOffset[Int64(i)] ?? []
            #expect(found.count == 1, "\(c.name) should be in the DLQ once, found \(found.count)")
            #expect(found.first?["reason"] as? String == c.reason, "\(c.name) reason")
            // The original bytes survive in the envelope.
            if let env = found.first {
                if let v = c.value {
                    if let text = String(validating: v, as: UTF8.self) {
                        #expect(env["payload"] as? String == text, "\(c.name) payload text")
                    } else {
                        #expect(env["payload_base64"] as? String == Data(v).base64EncodedString(), "\(c.name) payload_base64")
                    }
                } else {
                    #expect(env["payload"] is NSNull && env["payload_base64"] is NSNull, "tombstone payloads null")
                }
            }
        }
        #expect(dlq.count == dlqCases.count)
        for file in Paths.files(under: h.layout.deadLetterDirectory, suffix: ".jsonl") {
            let dir = URL(fileURLWithPath: file).deletingLastPathComponent().lastPathComponent
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
                let env = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(dir == "date=" + String((env?["failed_at"] as? String ?? "").prefix(10)), "DLQ partition is the rejection date")
            }
        }

        // Duplicates: counted, not landed.
        #expect(runner.committedCounts.duplicates == dupCases.count)
        #expect(runner.committedCounts.valid == lakeCases.count)
        #expect(runner.committedCounts.invalid == dlqCases.count)
        #expect(runner.committedCounts.total == corpus.count)
        for i in dupCases { #expect(byOffset[Int64(i)] == nil) }
        #expect(try h.store.totals()["duplicates"] == Int64(dupCases.count))
        #expect(try h.store.storedOffsets([source.partition]) == [source.partition: Int64(corpus.count)])
        #expect(source.commits.last == [source.partition: Int64(corpus.count)])
        #expect(Paths.files(under: h.layout.stagingRoot, suffix: ".tmp").isEmpty, "no staging leftovers")
    }

    /// Valid events (with repeated ids and a few invalid records) through small flushes and repeated rebalances:
    /// every accepted event is in the lake exactly once, every invalid one in the DLQ exactly once, and a restart
    /// over the same records adds nothing.
    @Test func exactlyOnceUnderRewinds() async throws {
        var values: [[UInt8]?] = []
        var expectedIDs = Set<String>()
        var firstOffset: [String: Int64] = [:]   // first valid occurrence wins
        var invalidOffsets = Set<Int64>()
        for i in 0..<240 {
            let id = "e\(i % 200)"
            if i % 37 == 5 {
                values.append(Array("{\"event_id\":\"\(id)\",\"ts\":".utf8))
                invalidOffsets.insert(Int64(i))
                continue
            }
            expectedIDs.insert(id)
            if firstOffset[id] == nil { firstOffset[id] = Int64(i) }
            let monto = i % 3 == 0 ? "null" : "\(Double(i) / 4)"
            values.append(Array("""
                {"event_id":"\(id)","ts":"2025-10-\(pad(1 + i % 5, 2))T\(pad(i % 24, 2)):\(pad(i % 60, 2)):00Z","usuario_id":\(1 + i),"accion":"view","monto":\(monto)}
                """.utf8))
        }
        let h = try Harness("rewinds") { c in
            c.flushRows = 7
            c.maxPollRecords = 5
        }
        let source = InMemoryRecordSource(values: values, rebalanceAtPolls: [3, 8, 9, 14, 20, 33, 34, 47, 60])
        let runner = try await h.run(source)
        #expect(source.rebalances == 9)

        func check() throws {
            let rows = try LakeOracle.rows(h.root)
            let ids = rows.compactMap { $0["event_id"] as? String }
            #expect(rows.count == expectedIDs.count)
            #expect(Set(ids).count == ids.count, "no duplicates in the lake")
            #expect(Set(ids) == expectedIDs)
            for r in rows {
                let id = r["event_id"] as? String ?? "?"
                #expect(int64(r["_kafka_offset"]) == firstOffset[id], "\(id) must come from its first occurrence")
            }
            let dlq = try h.deadLetters()
            let offsets = dlq.compactMap { int64(($0["source"] as? [String: Any])?["offset"]) }
            #expect(offsets.count == invalidOffsets.count)
            #expect(Set(offsets) == invalidOffsets)
        }
        try check()
        #expect(runner.committedCounts.total == values.count)
        #expect(runner.committedCounts.duplicates == values.count - invalidOffsets.count - expectedIDs.count)
        #expect(try h.store.storedOffsets([source.partition]) == [source.partition: Int64(values.count)])
        let totals = try h.store.totals()
        #expect(totals["valid"] == Int64(expectedIDs.count))
        #expect(totals["total"] == Int64(values.count))

        // A restarted instance over the same records: everything is already committed.
        let again = InMemoryRecordSource(values: values, rebalanceAtPolls: [2])
        let second = try await h.run(again)
        #expect(second.committedCounts.total == 0)
        try check()
    }

    /// A file whose optional `monto` is null in every row has the same Parquet schema as the others.
    @Test func allNullColumnKeepsTheSchema() async throws {
        var values: [[UInt8]?] = []
        for i in 0..<6 {
            // date 2025-10-01: monto always null (or absent); date 2025-10-02: monto present.
            let nullDay = i % 2 == 0
            let monto = nullDay ? (i == 4 ? "" : ",\"monto\":null") : ",\"monto\":\(i).5"
            values.append(Array("""
                {"event_id":"e\(i)","ts":"2025-10-0\(nullDay ? 1 : 2)T10:00:00Z","usuario_id":\(i + 1),"accion":"click"\(monto)}
                """.utf8))
        }
        let h = try Harness("schema")
        try await h.run(InMemoryRecordSource(values: values))
        let schemas = try LakeOracle.schemas(h.root)
        #expect(schemas.count == 2)
        #expect(Set(schemas.values).count == 1, "schemas differ: \(schemas)")
        let text = schemas.values.first ?? ""
        #expect(text.contains("monto: double"))
        #expect(text.contains("ts: timestamp[us, tz=UTC] not null"))
        let rows = try LakeOracle.rows(h.root)
        #expect(rows.filter { $0["date"] as? String == "2025-10-01" }.allSatisfy { $0["monto"] is NSNull })
        #expect(rows.filter { $0["date"] as? String == "2025-10-02" }.count == 3)
    }

    static func validEvents(_ n: Int) -> [[UInt8]?] {
        (0..<n).map { i in
            Array("""
                {"event_id":"e\(i)","ts":"2025-11-0\(1 + i % 3)T08:00:00Z","usuario_id":\(i + 1),"accion":"purchase","monto":\(i)}
                """.utf8)
        }
    }

    /// Another writer (a zombie or a new owner of the partition) moves the stored offset while this runner holds
    /// uncommitted work: the runner's commit is refused, its work dropped, and it resumes from the other's offset.
    @Test func offsetConflictDropsWorkAndFollowsTheOtherWriter() async throws {
        let values = Self.validEvents(50)
        let h = try Harness("conflict") { c in
            c.flushRows = 10
            c.maxPollRecords = 5
        }
        let source = InMemoryRecordSource(values: values)
        let other = try SQLiteCheckpointStore(path: h.layout.storePath)
        let partition = source.partition
        let taken = LockedBox<(from: Int64, to: Int64)?>(nil)
        source.beforePoll = { n in
            guard n == 5 else { return }
            let current = (try? other.storedOffsets([partition]))?[partition]
            var c = CheckpointCommit()
            let from = current ?? 0
            c.offsets = [partition: OffsetAdvance(expected: current, next: from + 20)]
            c.owner = "other"
            _ = try! other.commit(c)
            taken.value = (from, from + 20)
        }
        try await h.run(source)
        let range = try #require(taken.value)
        let offsets = try LakeOracle.rows(h.root).compactMap { int64($0["_kafka_offset"]) }
        #expect(offsets.count == Set(offsets).count, "no record twice")
        let expected = Set((0..<Int64(values.count)).filter { $0 < range.from || $0 >= range.to })
        #expect(Set(offsets) == expected, "records the other writer committed are not written again; all others once")
        #expect(try h.store.storedOffsets([partition]) == [partition: Int64(values.count)])
        #expect(source.seeks.contains { $0[partition] == range.to }, "rewound to the other writer's offset")
    }

    /// A dedup key of uncommitted work is stored by another writer before the commit: the store transaction
    /// fails with a DedupRace, the commit drops that row (now a duplicate) and commits the rest; the batch is not
    /// processed again.
    @Test func dedupRaceDropsOnlyTheRacedRow() async throws {
        let values = Self.validEvents(30)
        let h = try Harness("race") { c in
            c.flushRows = 10
            c.maxPollRecords = 5
        }
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let evaluator = RecordEvaluator(schema: schema, config: h.config)
        let raced = SourceRecord(topic: "pi2_events", partition: 0, offset: 2, key: nil, value: values[2], timestampMs: nil)
        guard case .accepted(let accepted) = evaluator.evaluate(raced, nowMicros: 0), let racedKey = accepted.key else {
            Issue.record("e2 should be valid"); return
        }
        let source = InMemoryRecordSource(values: values)
        let other = try SQLiteCheckpointStore(path: h.layout.storePath)
        // The first batch (offsets 0–4) looks e2's key up and finds nothing; right after it, before the flush of
        // 0–9, the other writer stores that key. (A source hook would race with the prefetched poll.)
        let otherCommitted = LockedBox(false)
        let observer = PipelineObserver(batchProcessed: { _ in
            guard !otherCommitted.value else { return }
            otherCommitted.value = true
            var c = CheckpointCommit()
            c.dedupKeys = [racedKey]
            c.committedAt = Int64(Date().timeIntervalSince1970)
            c.owner = "other"
            _ = try! other.commit(c)
        })
        let committer = try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions())
        let runner = PipelineRunner(config: h.config, source: source, store: h.store, committer: committer,
                                    deadLetters: FileDeadLetterSink(), evaluator: evaluator,
                                    options: .init(untilIdle: .milliseconds(250)), observer: observer)
        try await runner.run()
        let ids = try LakeOracle.rows(h.root).compactMap { $0["event_id"] as? String }
        #expect(ids.count == Set(ids).count)
        #expect(Set(ids) == Set((0..<30).filter { $0 != 2 }.map { "e\($0)" }))
        #expect(runner.committedCounts.duplicates == 1)
        #expect(runner.committedCounts.total == 30)
        #expect(source.seeks.count == 1, "only the assignment's seek: the raced row is dropped inside the commit, the batch is not read again: \(source.seeks)")
    }
}

extension PipelineRunnerTests {
    /// A crash between the store commit and the renames: the first commit's publish fails (a plain file blocks the
    /// partition directory), so the run throws with committed files left in staging. A restarted instance rolls
    /// them forward and resumes at the stored offset: every record is in the lake once.
    @Test func restartAfterFailedPublishRollsForward() async throws {
        let values = Self.validEvents(40)
        let h = try Harness("crash") { c in
            c.flushRows = 10
            c.maxPollRecords = 5
        }
        let blockers = (1...3).map { h.root + "/date=2025-11-0\($0)" }
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        do {
            let committer = try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions())
            committer.faultHook = { step in
                guard step == "stored" else { return }
                for b in blockers where !FileManager.default.fileExists(atPath: b) {
                    _ = FileManager.default.createFile(atPath: b, contents: Data("not a directory".utf8))
                }
            }
            let runner = PipelineRunner(config: h.config, source: InMemoryRecordSource(values: values), store: h.store,
                                        committer: committer, deadLetters: FileDeadLetterSink(),
                                        evaluator: RecordEvaluator(schema: schema, config: h.config),
                                        options: .init(untilIdle: .milliseconds(250)))
            await #expect(throws: (any Error).self) { try await runner.run() }
        }
        #expect(try h.store.storedOffsets([SourcePartition(topic: "pi2_events", partition: 0)]).first?.value == 10)
        #expect(try h.store.unpublishedFiles().count > 0, "committed files wait in staging")
        #expect(!Paths.files(under: h.layout.stagingRoot, suffix: ".parquet.tmp").isEmpty)
        #expect(try LakeOracle.rows(h.root).isEmpty, "readers of **/*.parquet never see staging files")
        for b in blockers { try? FileManager.default.removeItem(atPath: b) }
        try await h.run(InMemoryRecordSource(values: values))
        let offsets = try LakeOracle.rows(h.root).compactMap { int64($0["_kafka_offset"]) }
        #expect(offsets.sorted() == Array(0..<Int64(values.count)))
        #expect(try h.store.unpublishedFiles().isEmpty)
        #expect(Paths.files(under: h.layout.stagingRoot, suffix: ".tmp").isEmpty)
    }

    /// A run that fails (here its first commit's publish) returns only after the poll it had started ahead has
    /// ended: nothing of it reads the source once the error is out. The polls are slow, so one is in flight then.
    @Test func aFailedRunLeavesNoPollInFlight() async throws {
        let h = try Harness("inflight") { c in
            c.flushRows = 10
            c.maxPollRecords = 5
        }
        let blockers = (1...3).map { h.root + "/date=2025-11-0\($0)" }
        let committer = try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions())
        committer.faultHook = { step in
            guard step == "stored" else { return }
            for b in blockers where !FileManager.default.fileExists(atPath: b) {
                _ = FileManager.default.createFile(atPath: b, contents: Data("not a directory".utf8))
            }
        }
        let source = InMemoryRecordSource(values: Self.validEvents(40))
        source.beforePoll = { n in if n > 2 { Thread.sleep(forTimeInterval: 0.3) } }
        let runner = PipelineRunner(config: h.config, source: source, store: h.store, committer: committer,
                                    deadLetters: FileDeadLetterSink(),
                                    evaluator: RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: h.config),
                                    options: .init(untilIdle: .milliseconds(250)))
        await #expect(throws: (any Error).self) { try await runner.run() }
        #expect(source.pollsInFlight == 0, "a poll still runs after the failed run returned")
        for b in blockers { try? FileManager.default.removeItem(atPath: b) }
    }
}

extension PipelineRunnerTests {
    /// Keys older than `dedup.ttl` no longer deduplicate; younger ones do.
    @Test func dedupTTLThroughTheRunner() async throws {
        let values = Self.validEvents(4)
        let h = try Harness("ttl") { $0.dedupTTL = .seconds(86_400) }
        let evaluator = RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: h.config)
        func key(_ i: Int) throws -> DedupKey {
            let r = SourceRecord(topic: "pi2_events", partition: 0, offset: Int64(i), key: nil, value: values[i], timestampMs: nil)
            guard case .accepted(let a) = evaluator.evaluate(r, nowMicros: 0), let k = a.key else { throw TestFailure("e\(i) rejected") }
            return k
        }
        let now = Int64(Date().timeIntervalSince1970)
        var old = CheckpointCommit()
        old.dedupKeys = [try key(1)]
        old.committedAt = now - 86_400 - 600
        _ = try h.store.commit(old)
        var recent = CheckpointCommit()
        recent.dedupKeys = [try key(2)]
        recent.committedAt = now - 86_400 + 600
        _ = try h.store.commit(recent)
        let runner = try await h.run(InMemoryRecordSource(values: values))
        let ids = Set(try LakeOracle.rows(h.root).compactMap { $0["event_id"] as? String })
        #expect(ids == ["e0", "e1", "e3"])
        #expect(runner.committedCounts.duplicates == 1)
    }
}

extension PipelineRunnerTests {
    /// `--until-idle` promises to exit having committed everything: a commit refused at the idle flush must not
    /// end the run with the records rewound but unprocessed.
    @Test func untilIdleFinishesAfterARefusedIdleFlush() async throws {
        let values = Self.validEvents(10)
        let h = try Harness("idle-race")
        let evaluator = RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: h.config)
        let r = SourceRecord(topic: "pi2_events", partition: 0, offset: 4, key: nil, value: values[4], timestampMs: nil)
        guard case .accepted(let a) = evaluator.evaluate(r, nowMicros: 0), let racedKey = a.key else { throw TestFailure("e4 rejected") }
        let source = InMemoryRecordSource(values: values)
        let other = try SQLiteCheckpointStore(path: h.layout.storePath)
        // Offsets 0–9 are processed in one batch (e4's key looked up: not seen); right after, before the flush that
        // follows the next, empty poll, the other writer stores e4's key. The batch observer is ordered with the
        // lookup; a poll hook would race with the prefetched poll.
        let raced = LockedBox(false)
        let observer = PipelineObserver(batchProcessed: { _ in
            guard !raced.value else { return }
            raced.value = true
            var c = CheckpointCommit()
            c.dedupKeys = [racedKey]
            c.committedAt = Int64(Date().timeIntervalSince1970)
            _ = try! other.commit(c)
        })
        let committer = try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions())
        var options = PipelineRunner.Options(untilIdle: .milliseconds(250))
        options.dedupRaceAttempts = 1  // the race refuses the idle flush instead of being resolved inside it
        let runner = PipelineRunner(config: h.config, source: source, store: h.store, committer: committer,
                                    deadLetters: FileDeadLetterSink(), evaluator: evaluator,
                                    options: options, observer: observer)
        try await runner.run()
        #expect(source.seeks.count == 2, "the assignment's seek and the rewind after the refused flush: \(source.seeks)")
        let ids = Set(try LakeOracle.rows(h.root).compactMap { $0["event_id"] as? String })
        #expect(ids == Set((0..<10).filter { $0 != 4 }.map { "e\($0)" }))
        #expect(try h.store.storedOffsets([source.partition]) == [source.partition: 10])
        #expect(runner.committedCounts.duplicates == 1)
    }
}
