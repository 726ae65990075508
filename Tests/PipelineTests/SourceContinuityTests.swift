import EventSchema
import Foundation
import Testing
@testable import Pipeline

/// A topic that was deleted, recreated and refilled past the stored offsets (or a lake pointed at another
/// cluster) stops the run with a clear error instead of skipping the new topic's first records silently.
@Suite struct SourceContinuityTests {
    let partition = SourcePartition(topic: "pi2_events", partition: 0)

    /// Valid events whose ids differ from `PipelineRunnerTests.validEvents`: another topic's records.
    static func otherEvents(_ n: Int) -> [[UInt8]?] {
        PipelineRunnerTests.validEvents(n).map { value in
            Array(String(decoding: value!, as: UTF8.self).replacingOccurrences(of: "\"event_id\":\"e", with: "\"event_id\":\"n").utf8)
        }
    }

    @Test func aRefilledRecreatedTopicStopsTheRun() async throws {
        let h = try Harness("refilled")
        try await h.run(InMemoryRecordSource(values: PipelineRunnerTests.validEvents(20)))
        #expect(try h.store.storedPositions([partition])[partition]?.fingerprint != nil, "the commit keeps a fingerprint")
        // The new topic holds 30 other records: its offsets 0…19 were never read by this lake.
        do {
            try await h.run(InMemoryRecordSource(values: Self.otherEvents(30)))
            Issue.record("the run should have stopped")
        } catch let error as PipelineError {
            #expect(error.message.contains("resumes pi2_events[0] at offset 20, but the record at offset 19 is not the one this lake consumed"))
            #expect(error.message.contains("fix: land this topic into a new lake.out_dir"))
        }
        #expect(try LakeOracle.rows(h.root).count == 20, "nothing of the new topic landed")
        #expect(try h.store.storedOffsets([partition]) == [partition: 20])
    }

    @Test func theSameTopicGrownFurtherContinues() async throws {
        let h = try Harness("grown")
        try await h.run(InMemoryRecordSource(values: PipelineRunnerTests.validEvents(20)))
        let runner = try await h.run(InMemoryRecordSource(values: PipelineRunnerTests.validEvents(30)))
        #expect(runner.committedCounts.valid == 10)
        #expect(try LakeOracle.rows(h.root).count == 30)
    }

    @Test func anotherClusterStopsTheRun() async throws {
        let h = try Harness("other-cluster")
        let first = InMemoryRecordSource(values: PipelineRunnerTests.validEvents(20))
        first.reportedClusterID = "cluster-A"
        try await h.run(first)
        #expect(try h.store.metaValue("source.pi2_events.cluster_id") == "cluster-A")
        let second = InMemoryRecordSource(values: PipelineRunnerTests.validEvents(30))
        second.reportedClusterID = "cluster-B"
        do {
            try await h.run(second)
            Issue.record("the run should have stopped")
        } catch let error as PipelineError {
            #expect(error.message.contains("consumed from Kafka cluster cluster-A, but the brokers now belong to cluster cluster-B"))
        }
        #expect(try LakeOracle.rows(h.root).count == 20)
    }

    /// A store written before fingerprints existed (schema version 1) is migrated in place and still starts.
    @Test func aVersion1StoreIsMigratedAndStarts() async throws {
        let dir = Paths.tempDir("v1-store") + "/out"
        let layout = LakeLayout(root: dir)
        try layout.createDirectories()
        do {
            let db = try SQLiteDatabase(path: layout.storePath)
            try db.execute("""
                CREATE TABLE dedup_keys(key BLOB PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX dedup_keys_seen_at ON dedup_keys(seen_at);
                CREATE TABLE offsets(topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                    updated_at INTEGER, PRIMARY KEY(topic, partition));
                CREATE TABLE commits(id INTEGER PRIMARY KEY AUTOINCREMENT, committed_at INTEGER NOT NULL, owner TEXT NOT NULL);
                CREATE TABLE files(final_path TEXT PRIMARY KEY, staging_path TEXT NOT NULL, hive_partition TEXT NOT NULL,
                    commit_id INTEGER NOT NULL, owner TEXT NOT NULL, state TEXT NOT NULL, rows INTEGER NOT NULL, bytes INTEGER NOT NULL);
                CREATE INDEX files_state ON files(state);
                CREATE TABLE dlq_marks(source_topic TEXT NOT NULL, source_partition INTEGER NOT NULL, dlq_topic TEXT NOT NULL,
                    dlq_partition INTEGER NOT NULL, scan_from INTEGER NOT NULL,
                    PRIMARY KEY(source_topic, source_partition, dlq_topic, dlq_partition));
                CREATE TABLE totals(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO offsets VALUES ('pi2_events', 0, 10, 0);
                PRAGMA user_version = 1;
                """)
        }
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        #expect(try store.storedPositions([partition]) == [partition: StoredPosition(next: 10, fingerprint: nil)])
        var version: Int64 = 0
        try SQLiteDatabase(path: layout.storePath).prepare("PRAGMA user_version").query { version = $0.int(0) }
        #expect(version == Int64(SQLiteCheckpointSchema.version))
        // A run over it starts, lands offsets 10…19, and from then on keeps fingerprints.
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let config = PipelineConfig()
        let runner = PipelineRunner(config: config, source: InMemoryRecordSource(values: PipelineRunnerTests.validEvents(20)),
                                    store: store, committer: try LakeCommitter(layout: layout, store: store, writerOptions: .init()),
                                    deadLetters: FileDeadLetterSink(), evaluator: RecordEvaluator(schema: schema, config: config),
                                    options: .init(untilIdle: .milliseconds(250)))
        try await runner.run()
        #expect(runner.committedCounts.valid == 10)
        #expect(try store.storedPositions([partition])[partition]?.fingerprint != nil)
    }
}

/// The store's write-ahead log is folded into the database when a run ends cleanly.
@Suite struct StoreHygieneTests {
    @Test func aCleanExitTruncatesTheWriteAheadLog() async throws {
        let h = try Harness("wal")
        try await h.run(InMemoryRecordSource(values: PipelineRunnerTests.validEvents(200)))
        let wal = (try? FileManager.default.attributesOfItem(atPath: h.layout.storePath + "-wal")[.size] as? NSNumber)??.int64Value ?? 0
        #expect(wal == 0, "the WAL holds \(wal) bytes after a clean exit")
        #expect(try h.store.storedOffsets([SourcePartition(topic: "pi2_events", partition: 0)]).count == 1, "nothing was lost")
    }

    @Test func storeErrorsShowTheWholeStatementAndAFix() throws {
        let dir = Paths.tempDir("store-errors")
        let db = try SQLiteDatabase(path: dir + "/checkpoint.sqlite")
        let sql = "SELECT next_offset, updated_at FROM a_table_that_does_not_exist WHERE topic = 'pi2_events' AND partition = 12345"
        do {
            try db.execute(sql)
            Issue.record("the statement should have failed")
        } catch let error as StoreError {
            #expect(error.description.contains("(in: \(sql))"), "the statement is shown whole: \(error)")
        }
        // A damaged store names the way out.
        let layout = LakeLayout(root: dir + "/lake")
        try layout.createDirectories()
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: layout.storePath))
        do {
            _ = try SQLiteCheckpointStore(path: layout.storePath)
            Issue.record("a damaged store should not open")
        } catch let error as StoreError {
            #expect(error.description.contains("fix: the store is damaged"), "\(error)")
            #expect(error.description.contains("weir checkpoint rebuild --out-dir \(layout.root)"), "\(error)")
        }
    }
}

/// Two instances sharing a lake: keys landed by the other one after this one looked them up cost this one only
/// the conflicting rows, not a re-read of its whole batch; the DLQ file staged for the commit is kept for the retry.
/// With a single attempt the commit is refused and the batch read again (also when that took longer than
/// `--until-idle`), and the file DLQ's records, whose staged file went with the refused commit, are dead-lettered
/// again rather than lost.
@Suite struct DedupRaceTests {
    @Test(arguments: [3, 1])
    func aRaceDropsOnlyTheConflictingRowsAndKeepsTheDeadLetters(attempts: Int) async throws {
        let h = try Harness("dedup-race-\(attempts)")
        let values = PipelineRunnerTests.validEvents(40) + [Array("{broken".utf8), Array("[2]".utf8)]
        let source = InMemoryRecordSource(values: values)
        let evaluator = RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: h.config)
        func key(_ offset: Int) throws -> DedupKey {
            let r = SourceRecord(topic: "pi2_events", partition: 0, offset: Int64(offset), key: nil, value: values[offset], timestampMs: nil)
            guard case .accepted(let a) = evaluator.evaluate(r, nowMicros: 0), let key = a.key else { throw TestFailure("rejected") }
            return key
        }
        let raced = [try key(5), try key(17)]
        let other = try SQLiteCheckpointStore(path: h.layout.storePath)
        // Right after the batch's lookups (the observer runs after them), the other instance lands e5 and e17.
        let done = LockedBox(false)
        let observer = PipelineObserver(batchProcessed: { _ in
            guard !done.value else { return }
            done.value = true
            var c = CheckpointCommit()
            c.dedupKeys = raced
            c.committedAt = Int64(Date().timeIntervalSince1970)
            c.owner = "other"
            _ = try! other.commit(c)
            // Longer than the idle timeout: a refused flush must not let the run exit as idle before it has read
            // its rewound records again.
            usleep(300_000)
        })
        var options = PipelineRunner.Options(untilIdle: .milliseconds(250))
        options.dedupRaceAttempts = attempts
        let runner = PipelineRunner(config: h.config, source: source, store: h.store,
                                    committer: try LakeCommitter(layout: h.layout, store: h.store, writerOptions: .init()),
                                    deadLetters: FileDeadLetterSink(), evaluator: evaluator, options: options, observer: observer)
        try await runner.run()
        #expect(done.value)
        #expect(source.seeks.count == (attempts > 1 ? 1 : 2), "a rewind only when the commit was refused: \(source.seeks)")
        #expect(runner.committedCounts.valid == 38)
        #expect(runner.committedCounts.duplicates == 2)
        let ids = try LakeOracle.rows(h.root).compactMap { $0["event_id"] as? String }
        #expect(ids.count == 38)
        #expect(!ids.contains("e5") && !ids.contains("e17"))
        #expect(try h.deadLetters().count == 2, "each invalid record is in the DLQ once")
        #expect(try h.store.storedOffsets([source.partition]) == [source.partition: 42])
        #expect(try h.store.totals()["duplicates"] == 2)
        #expect(Paths.files(under: h.layout.stagingRoot, suffix: ".tmp").isEmpty, "no staging file left behind")
    }
}
