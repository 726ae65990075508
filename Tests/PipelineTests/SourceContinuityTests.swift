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
