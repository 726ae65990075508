import EventSchema
import Foundation
import Testing
@testable import Pipeline

/// A lake whose checkpoint store was lost refuses to start, and `LakeRebuilder` restores the store from the lake
/// so that the next run lands nothing twice and dead-letters nothing twice.
@Suite struct LostStoreTests {
    let partition = SourcePartition(topic: "pi2_events", partition: 0)

    /// 30 valid events, then 2 invalid ones and a duplicate of e3 (offsets 30…32).
    static let firstValues: [[UInt8]?] = PipelineRunnerTests.validEvents(30) + [Array("{not json".utf8), Array("[1]".utf8)]
        + [PipelineRunnerTests.validEvents(4)[3]]

    func run(_ layout: LakeLayout, _ store: SQLiteCheckpointStore, _ values: [[UInt8]?]) async throws -> PipelineRunner {
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let config = PipelineConfig()
        let runner = PipelineRunner(config: config, source: InMemoryRecordSource(values: values), store: store,
                                    committer: try LakeCommitter(layout: layout, store: store, writerOptions: .init()),
                                    deadLetters: FileDeadLetterSink(), evaluator: RecordEvaluator(schema: schema, config: config),
                                    options: .init(untilIdle: .milliseconds(250)))
        try await runner.run()
        return runner
    }

    func deadLetterLines(_ layout: LakeLayout) throws -> Int {
        try Paths.files(under: layout.deadLetterDirectory, suffix: ".jsonl").reduce(0) {
            $0 + (try String(contentsOfFile: $1, encoding: .utf8)).split(separator: "\n").count
        }
    }

    func deleteStore(_ layout: LakeLayout) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: layout.storePath + suffix) }
    }

    @Test func anEmptyStoreBesideCommittedFilesRefusesToStart() async throws {
        let h = try Harness("lost-store-refuses")
        try await h.run(InMemoryRecordSource(values: Self.firstValues))
        deleteStore(h.layout)
        let store = try SQLiteCheckpointStore(path: h.layout.storePath)
        do {
            try LostStoreCheck.verify(layout: h.layout, store: store)
            Issue.record("the check should refuse")
        } catch let error as ConfigError {
            #expect(error.key == "lake.out_dir")
            #expect(error.message.contains("already holds committed files"))
            #expect(error.message.contains("is empty or missing"))
            #expect(error.fix.contains("weir checkpoint rebuild --out-dir \(h.layout.root)"))
        }
        // A new lake, and a lake whose store is intact, pass.
        try LostStoreCheck.verify(layout: h.layout, store: h.store)
        let fresh = LakeLayout(root: Paths.tempDir("lost-store-fresh") + "/out")
        try fresh.createDirectories()
        try LostStoreCheck.verify(layout: fresh, store: try SQLiteCheckpointStore(path: fresh.storePath))
    }

    @Test func aRebuiltStoreLandsNothingTwice() async throws {
        // Small commits, then compaction: the rebuild reads merged files (their lineage columns) like any other.
        let h = try Harness("lost-store-rebuild") { $0.flushRows = 8; $0.maxPollRecords = 8 }
        try await h.run(InMemoryRecordSource(values: Self.firstValues))
        #expect(try LakeOracle.rows(h.root).count == 30)
        #expect(try deadLetterLines(h.layout) == 2)
        var options = CompactionOptions()
        options.grace = .zero
        options.placeholderGrace = .zero
        let compacted = try Compactor(layout: h.layout, store: h.store, options: options).compactAll()
        #expect(compacted.contains { $0.filesMerged > 1 }, "\(compacted)")
        deleteStore(h.layout)

        let store = try SQLiteCheckpointStore(path: h.layout.storePath)
        let report = try LakeRebuilder(layout: h.layout, store: store, topic: "pi2_events", dedupKey: .fields(["event_id"]),
                                       ttl: .seconds(7 * 86_400)).rebuild()
        #expect(report.rows == 30)
        #expect(report.keys == 30)
        #expect(report.deadLetterRecords == 2)
        // The lake holds offsets 0…29, the DLQ files 30 and 31: the store resumes after the DLQ's last record.
        #expect(report.offsets == [partition: 32])
        #expect(try store.storedOffsets([partition]) == [partition: 32])
        try LostStoreCheck.verify(layout: h.layout, store: store)
        let lakeFiles = Paths.files(under: h.root + "/date=2025-11-01", suffix: ".parquet")
        #expect(try store.publishedFiles(hivePartition: "date=2025-11-01").map(\.finalPath) == lakeFiles, "the manifest lists the lake files")

        // More events: 10 new ones, then duplicates of landed ones. Nothing lands or dead-letters twice.
        let more = Self.firstValues + PipelineRunnerTests.validEvents(40).suffix(10) + PipelineRunnerTests.validEvents(5)
        let runner = try await run(h.layout, store, more)
        #expect(runner.committedCounts.valid == 10)
        let rows = try LakeOracle.rows(h.root)
        #expect(rows.count == 40)
        #expect(Set(rows.compactMap { $0["event_id"] as? String }).count == 40)
        #expect(try deadLetterLines(h.layout) == 2)
    }

    @Test func rebuildRefusesAStoreThatIsNotEmpty() async throws {
        let h = try Harness("lost-store-not-empty")
        try await h.run(InMemoryRecordSource(values: Self.firstValues))
        #expect(throws: RebuildError.self) {
            try LakeRebuilder(layout: h.layout, store: h.store, topic: "pi2_events", dedupKey: .fields(["event_id"]),
                              ttl: .seconds(86_400)).rebuild()
        }
    }
}
