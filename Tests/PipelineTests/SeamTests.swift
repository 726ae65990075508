import EventSchema
import Foundation
import Parquet
import Testing
@testable import Pipeline

/// The three seams are real: the pipeline runs on an in-memory `Storage` with a recording `TableCommit`, recovery
/// works through them, and the checkpoint store moves a table pointer in the commit transaction.
@Suite(.serialized) struct SeamTests {
    static let partitionDate = "date=2025-01-01"

    /// A whole run (valid events, duplicates, DLQ records, several commits) on a lake whose bytes live in memory.
    @Test func pipelineRunsOnInMemoryStorageThroughARecordingTableCommit() async throws {
        let root = Paths.tempDir("seams") + "/out"
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let layout = LakeLayout(root: root)
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        var config = PipelineConfig()
        config.flushRows = 10
        config.maxPollRecords = 5
        let valid = PipelineRunnerTests.validEvents(40)
        let values = valid + Array(valid.prefix(5)) + [Array("{".utf8), Array("[1]".utf8), nil]
        let source = InMemoryRecordSource(values: values)
        let storage = InMemoryStorage()
        let table = RecordingTableCommit(try LakeCommitter(layout: layout, storage: storage, store: store, writerOptions: ParquetWriterOptions()))
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let runner = PipelineRunner(config: config, source: source, store: store, committer: table,
                                    deadLetters: FileDeadLetterSink(), evaluator: RecordEvaluator(schema: schema, config: config),
                                    options: .init(untilIdle: .milliseconds(250)))
        try await runner.run()

        // Nothing of the lake touched the file system: only the checkpoint store is on disk.
        #expect(Paths.files(under: root, suffix: ".parquet").isEmpty)
        #expect(Paths.files(under: root, suffix: ".jsonl").isEmpty)
        // The lake, read back from storage: every valid event once.
        let lakeFiles = storage.names.filter { $0.hasPrefix("date=") && $0.hasSuffix(".parquet") }
        var ids: [String] = []
        for name in lakeFiles {
            let reader = try ParquetFileReader(bytes: try #require(try storage.get(name)), name: name)
            let columns = try reader.readAll()
            let index = try #require(reader.schema.columns.firstIndex { $0.name == "event_id" })
            guard case .string(let values) = columns[index] else { throw TestFailure("event_id is not a string column") }
            ids += values.compactMap { $0 }
        }
        #expect(ids.count == 40 && Set(ids).count == 40, "\(ids.count) rows, \(Set(ids).count) distinct")
        let dlqLines = try storage.names.filter { $0.hasPrefix("_dlq/") && $0.hasSuffix(".jsonl") }.reduce(0) {
            $0 + (try storage.get($1) ?? []).filter { $0 == UInt8(ascii: "\n") }.count
        }
        #expect(dlqLines == 3)
        #expect(!storage.names.contains { $0.hasPrefix(layout.stagingPrefix + "/") }, "staging left behind: \(storage.names)")

        // What the run loop asked of the table: one recovery, commits that cover every staged file, the offsets
        // up to the end, a close.
        #expect(table.recoveries == 1)
        #expect(table.closed)
        let commits = table.commits
        #expect(commits.count >= 4, "flush_rows 10 over 48 records makes several commits, got \(commits.count)")
        #expect(commits.allSatisfy { $0.error == nil })
        #expect(commits.flatMap(\.files) == table.staged)
        #expect(commits.last?.offsets[source.partition]?.next == Int64(values.count))
        #expect(commits.flatMap(\.files).filter { $0.finalPath.hasSuffix(".parquet") }.reduce(0) { $0 + $1.rows } == 40)
        #expect(storage.publishes == table.staged.count)
        #expect(storage.locksTaken == table.staged.count, "each publish holds its partition's lock")
    }

    /// A writer died after the store transaction: recovery by the next writer publishes its committed files
    /// (also one whose copy-then-delete publish was interrupted after the copy) and drops its uncommitted ones,
    /// all through `Storage`.
    @Test func recoveryFinishesADeadWritersCommitThroughStorage() throws {
        let root = Paths.tempDir("seam-recovery") + "/out"
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let layout = LakeLayout(root: root)
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let storage = InMemoryStorage()
        var dead: LakeCommitter? = try LakeCommitter(layout: layout, storage: storage, store: store,
                                                     writerOptions: ParquetWriterOptions(), instance: "deadbeef0001")
        let a = try dead!.stage(bytes: Array("a\n".utf8), relativeDirectory: Self.partitionDate, prefix: "part", ext: "txt", rows: 1)
        let b = try dead!.stage(bytes: Array("b\n".utf8), relativeDirectory: Self.partitionDate, prefix: "part", ext: "txt", rows: 1)
        _ = try dead!.stage(bytes: Array("never committed\n".utf8), relativeDirectory: Self.partitionDate, prefix: "part", ext: "txt", rows: 1)
        var commit = CheckpointCommit()
        commit.files = [a, b]
        commit.owner = "deadbeef0001"
        _ = try store.commit(commit)
        storage.inject(layout.name(ofPath: b.finalPath), bytes: Array("b\n".utf8))  // b's copy landed, its delete did not
        dead = nil  // the process is gone; its lease with it

        let next = try LakeCommitter(layout: layout, storage: storage, store: store, writerOptions: ParquetWriterOptions())
        let report = try next.recover()
        #expect(report == RecoveryReport(rolledForward: 2, orphansRemoved: 1))
        #expect(try storage.get(layout.name(ofPath: a.finalPath)) == Array("a\n".utf8))
        #expect(try storage.get(layout.name(ofPath: b.finalPath)) == Array("b\n".utf8))
        #expect(!storage.names.contains { $0.hasPrefix(layout.stagingPrefix + "/deadbeef0001") }, "\(storage.names)")
        #expect(try store.unpublishedFiles().isEmpty)
    }

    /// A table pointer (an Iceberg catalog's metadata location) moves only with the rest of its commit: a stale
    /// expectation refuses the whole commit, offsets and files included.
    @Test func tablePointerMovesInTheCommitTransaction() throws {
        let dir = Paths.tempDir("seam-pointer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteCheckpointStore(path: dir + "/checkpoint.sqlite")
        let partition = SourcePartition(topic: "t", partition: 0)
        var first = CheckpointCommit()
        first.offsets = [partition: OffsetAdvance(expected: nil, next: 10)]
        first.tablePointers = [TablePointerUpdate(table: "lake.t", expected: nil, new: "metadata/v1.json")]
        _ = try store.commit(first)
        #expect(try store.tablePointer("lake.t") == "metadata/v1.json")

        var stale = CheckpointCommit()
        stale.offsets = [partition: OffsetAdvance(expected: 10, next: 20)]
        stale.files = [StagedFile(stagingPath: dir + "/s", finalPath: dir + "/f", hivePartition: "date=2025-01-01", rows: 1, bytes: 1)]
        stale.tablePointers = [TablePointerUpdate(table: "lake.t", expected: "metadata/v0.json", new: "metadata/v2.json")]
        #expect(throws: TablePointerConflict.self) { try store.commit(stale) }
        #expect(try store.storedOffsets([partition]) == [partition: 10])
        #expect(try store.unpublishedFiles().isEmpty)
        #expect(try store.tablePointer("lake.t") == "metadata/v1.json")

        var next = stale
        next.tablePointers = [TablePointerUpdate(table: "lake.t", expected: "metadata/v1.json", new: "metadata/v2.json")]
        _ = try store.commit(next)
        #expect(try store.tablePointer("lake.t") == "metadata/v2.json")
        #expect(try store.storedOffsets([partition]) == [partition: 20])
    }
}
