import EventSchema
import Foundation
import Iceberg
import Parquet
import Testing
import WeirTestSupport
@testable import Pipeline

/// Compaction (`IcebergCompactor`), snapshot expiry and orphan removal (`IcebergMaintenance`) and manifest merging on
/// a real table written by the pipeline, read back by pyiceberg (testdata/oracles/iceberg_maintenance_read.py).
@Suite(.serialized) struct IcebergMaintenanceTests {
    struct Seen: Decodable {
        struct Snap: Decodable { let id: Int64; let operation: String; let rows: Int? }
        struct File: Decodable {
            let path: String
            let record_count: Int64
            let value_counts: [String: Int64]
            let lower: [String: IcebergTableTests.JSONScalar]
            let upper: [String: IcebergTableTests.JSONScalar]
        }
        let event_ids: [String]
        let snapshots: [Snap]
        let current_manifests: Int
        let current_files: [File]
        let added_twice: [String]
        let referenced: [String]
    }

    static func read(_ root: String) throws -> Seen {
        try JSONDecoder().decode(Seen.self, from: PythonOracle.run("iceberg_maintenance_read.py", [root, "pi2.events"]))
    }

    static func ids(_ range: Range<Int>) -> [String] { range.map { String(format: "e%03d", $0) } }

    /// A lake with a store, removed at the end.
    struct Lake: Sendable {
        let root: String
        let layout: LakeLayout
        let store: SQLiteCheckpointStore

        init(_ name: String) throws {
            root = Paths.tempDir(name) + "/lake"
            layout = LakeLayout(root: root)
            try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
            store = try SQLiteCheckpointStore(path: layout.storePath)
        }

        var warehouse: String { "file://" + root }
        var dataFiles: Set<String> { Set(Paths.files(under: root + "/pi2.db/events/data", suffix: ".parquet")) }
        var metadataFiles: [String] { Paths.files(under: root + "/pi2.db/events/metadata", suffix: "") }

        /// Runs the pipeline over events 0..<count (it resumes after the offsets already committed).
        func run(_ count: Int, flushRows: Int, tableProperties: [String: String] = [:],
                 beforePoll: (@Sendable (Int) -> Void)? = nil) async throws {
            var config = PipelineConfig()
            config.flushRows = flushRows
            config.maxPollRecords = flushRows
            let evaluator = RecordEvaluator(schema: try EventSchema.load(yaml: IcebergTableTests.schemaYAML), config: config)
            let table = try IcebergTableCommit(layout: layout, storage: layout.posixStorage(), store: store, writerOptions: ParquetWriterOptions(),
                                               columns: evaluator.layout.columns, settings: IcebergTableSettings(), warehouseURI: warehouse,
                                               tableProperties: tableProperties)
            let source = InMemoryRecordSource(values: (0..<count).map { IcebergTableTests.event($0) })
            source.beforePoll = beforePoll
            let runner = PipelineRunner(config: config, source: source, store: store, committer: table, deadLetters: FileDeadLetterSink(),
                                        evaluator: evaluator, options: .init(untilIdle: .milliseconds(250)))
            try await runner.run()
            table.close()
        }

        func compactor(targetBytes: Int64 = 64 << 20) -> IcebergCompactor {
            var options = CompactionOptions()
            options.targetBytes = targetBytes
            return IcebergCompactor(layout: layout, storage: layout.posixStorage(), store: store, settings: IcebergTableSettings(),
                                    warehouseURI: warehouse, options: options)
        }

        func maintenance(at now: Date) -> IcebergMaintenance {
            IcebergMaintenance(layout: layout, storage: layout.posixStorage(), store: store, settings: IcebergTableSettings(),
                               warehouseURI: warehouse, now: { now })
        }

        func published() throws -> Set<String> {
            var out: Set<String> = []
            for day in (try? FileManager.default.contentsOfDirectory(atPath: root + "/pi2.db/events/data")) ?? [] {
                out.formUnion(try store.publishedFiles(hivePartition: "pi2.db/events/data/" + day).map(\.finalPath))
            }
            return out
        }
    }

    @Test func compactionCommitsAReplaceSnapshotAndTimeTravelStillReads() async throws {
        let lake = try Lake("iceberg-compact")
        defer { TestDirectories.remove(lake.root) }
        try await lake.run(60, flushRows: 4)
        let before = try Self.read(lake.root)
        #expect(before.event_ids == Self.ids(0..<60))
        #expect(before.current_files.count > 6, "many small files: \(before.current_files.count)")
        let inputs = lake.dataFiles

        let reports = try lake.compactor().compactAll()
        #expect(reports.map(\.partition) == ["ts_day=2025-11-01", "ts_day=2025-11-02", "ts_day=2025-11-03"])
        #expect(reports.allSatisfy { $0.filesAfter == 1 && $0.filesWritten == 1 && $0.filesMerged == $0.filesBefore }, "\(reports)")
        let after = try Self.read(lake.root)
        #expect(after.event_ids == Self.ids(0..<60), "every row exactly once after the replace")
        #expect(after.current_files.count == 3)
        #expect(after.snapshots.last?.operation == "replace")
        #expect(after.snapshots.dropLast().last?.rows == 60, "time travel to the snapshot before the replace reads the inputs")
        #expect(after.snapshots.allSatisfy { $0.rows != nil })
        #expect(after.added_twice.isEmpty)
        #expect(inputs.isSubset(of: lake.dataFiles), "compaction deletes no input: older snapshots still reference them")
        // The merged files carry statistics of all their rows (pyiceberg plans scans with them).
        for f in after.current_files {
            #expect(f.value_counts.values.allSatisfy { $0 == f.record_count }, "\(f.path)")
            #expect(f.lower["2"] != nil && f.upper["2"] != nil)
        }
        #expect(try lake.published().isSuperset(of: after.current_files.map { String($0.path.dropFirst("file://".count)) }),
                "the merged files are in the store's file manifest, so recovery never takes them for orphans")

        // A later run appends on top of the replace; a second compaction merges the new small files with the large one
        // only when they fit the target; here nothing is left to merge in a one-file partition.
        try await lake.run(90, flushRows: 4)
        let appended = try Self.read(lake.root)
        #expect(appended.event_ids == Self.ids(0..<90))
        #expect(appended.snapshots.allSatisfy { $0.rows != nil },
                "the run's recovery kept the manifests only the snapshots before the replace list: time travel reads them all")
        let again = try lake.compactor().compactAll(date: "2025-11-02")
        #expect(again.map(\.partition) == ["ts_day=2025-11-02"] && again[0].filesAfter == 1)
        #expect(try Self.read(lake.root).event_ids == Self.ids(0..<90))
    }

    @Test func compactionBesideARunningPipelineLosesNoCommit() async throws {
        let lake = try Lake("iceberg-compact-concurrent")
        defer { TestDirectories.remove(lake.root) }
        try await lake.run(12, flushRows: 3)
        let compactions = SharedCounter()
        let stop = SharedCounter()
        let compactor = Thread {
            while stop.value == 0 {
                if (try? lake.compactor().compactAll()) != nil { compactions.increment() }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        compactor.start()
        try await lake.run(150, flushRows: 2)
        stop.increment()
        while !compactor.isFinished { try await Task.sleep(for: .milliseconds(10)) }
        let seen = try Self.read(lake.root)
        #expect(seen.event_ids == Self.ids(0..<150), "every event exactly once with compactions racing the commits")
        #expect(seen.added_twice.isEmpty)
        #expect(seen.snapshots.contains { $0.operation == "replace" }, "\(compactions.value) compactions, none committed")
        #expect(seen.snapshots.allSatisfy { $0.rows != nil })
    }

    /// A writer commits between the compactor's plan and its compare-and-set: the compactor's commit is refused,
    /// it plans the replace again on top of the writer's snapshot, and both land (deterministic, on `InMemoryStorage`).
    @Test func aCommitBetweenPlanAndCompareAndSetMakesTheCompactorReplan() async throws {
        let root = Paths.tempDir("iceberg-compact-replan") + "/lake"
        defer { TestDirectories.remove(root) }
        let layout = LakeLayout(root: root)
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let storage = InMemoryStorage()
        var config = PipelineConfig()
        config.flushRows = 4
        config.maxPollRecords = 4
        let evaluator = RecordEvaluator(schema: try EventSchema.load(yaml: IcebergTableTests.schemaYAML), config: config)
        let writer = try IcebergTableCommit(layout: layout, storage: storage, store: store, writerOptions: ParquetWriterOptions(),
                                            columns: evaluator.layout.columns, settings: IcebergTableSettings(), warehouseURI: "file://" + root)
        let runner = PipelineRunner(config: config, source: InMemoryRecordSource(values: (0..<24).map { IcebergTableTests.event($0) }), store: store,
                                    committer: writer, deadLetters: FileDeadLetterSink(), evaluator: evaluator,
                                    options: .init(untilIdle: .milliseconds(250)))
        try await runner.run()

        // The racing commit: one more row, committed by the writer when the compactor has written its metadata file.
        let armed = SharedCounter()
        let racedPath = LockedBox<String?>(nil)
        storage.onChange = { change in
            guard change.hasPrefix("put ") && change.hasSuffix(".metadata.json") && armed.value == 1 else { return }
            armed.increment()
            var buffer = RowBuffer(layout: evaluator.layout)
            let micros: Int64 = 1_762_000_000_000_000
            buffer.append([.string("late"), .int64(micros), .int64(1), .double(2.5), .boolean(true), .int64(micros), .int32(0), .int64(999)],
                          inputBytes: 10)
            do {
                var commit = CheckpointCommit()
                commit.files = [try writer.stage(buffer, directory: "ignored", schema: evaluator.layout.parquetSchema)]
                commit.owner = writer.instance
                _ = try writer.commit(commit)
                racedPath.value = commit.files[0].finalPath
            } catch { Issue.record("the racing commit failed: \(error)") }
        }
        armed.increment()
        var options = CompactionOptions()
        options.targetBytes = 64 << 20
        let compactor = IcebergCompactor(layout: layout, storage: storage, store: store, settings: IcebergTableSettings(),
                                         warehouseURI: "file://" + root, options: options)
        let reports = try compactor.compactAll()
        #expect(armed.value == 2, "the racing commit ran")
        #expect(reports.allSatisfy { $0.filesAfter == 1 }, "\(reports)")

        let table = IcebergTableFiles(storage: storage, store: store, settings: IcebergTableSettings(), warehouseURI: "file://" + root)
        let state = try #require(try table.current())
        let snapshots = state.metadata.snapshots
        #expect(snapshots.last?.summary["operation"] == "replace")
        #expect(snapshots.dropLast().last?.summary["operation"] == "append", "the racing append landed before the replace")
        #expect(snapshots.last?.parentSnapshotID == snapshots.dropLast().last?.snapshotID)
        #expect(snapshots.last?.summary["total-records"] == "25")
        let spec = try #require(state.metadata.defaultSpec)
        let live = try state.manifests.flatMap { try table.entries(of: $0, spec: spec) }.filter(\.isLive)
        #expect(live.reduce(0) { $0 + $1.file.recordCount } == 25, "every row once: 24 compacted and the racing one")
        let raced = try #require(racedPath.value)
        #expect(live.contains { $0.file.path == "file://" + raced }, "the racing commit's file is live in the replace snapshot")
        let metadataFiles = storage.names.filter { $0.hasSuffix(".metadata.json") }
        // One per snapshot and the table's creation file (no snapshot).
        #expect(metadataFiles.count == snapshots.count + 1, "the refused attempt's metadata file was deleted: \(metadataFiles)")
    }

    @Test func maintenanceExpiresSnapshotsAndDeletesWhatNothingReferences() async throws {
        let lake = try Lake("iceberg-maintain")
        defer { TestDirectories.remove(lake.root) }
        try await lake.run(40, flushRows: 4, tableProperties: ["write.metadata.previous-versions-max": "3"])
        _ = try lake.compactor().compactAll()
        try await lake.run(52, flushRows: 4)
        let before = try Self.read(lake.root)
        let inputs = lake.dataFiles.subtracting(before.current_files.map { String($0.path.dropFirst("file://".count)) })
        #expect(!inputs.isEmpty)

        // Stray files: old ones in data/ and metadata/ (a crashed writer's), and a fresh one (a commit in flight).
        let dataDir = lake.root + "/pi2.db/events/data/ts_day=2025-11-01", metadataDir = lake.root + "/pi2.db/events/metadata"
        let oldStray = [dataDir + "/part-20251101T000000-0123456789ab-000001.parquet", metadataDir + "/0123456789ab-x-m0.avro"]
        let freshStray = dataDir + "/part-20251101T000000-ba9876543210-000001.parquet"
        for path in oldStray + [freshStray] { #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8))) }
        let weekAgo = Date().addingTimeInterval(-7 * 86_400)
        for path in oldStray { try FileManager.default.setAttributes([.modificationDate: weekAgo], ofItemAtPath: path) }

        // A dry run changes nothing.
        var options = MaintenanceOptions()
        options.olderThan = .seconds(0)
        options.orphanOlderThan = .seconds(3600)
        options.dryRun = true
        let dry = try lake.maintenance(at: Date().addingTimeInterval(1)).run(options)
        #expect(dry.snapshotsExpired == before.snapshots.count - 1 && dry.orphansDeleted == 2)
        #expect(try Self.read(lake.root).snapshots.count == before.snapshots.count)

        options.dryRun = false
        let metadataJSON = lake.metadataFiles.filter { $0.hasSuffix(".metadata.json") }.count
        let report = try lake.maintenance(at: Date().addingTimeInterval(1)).run(options)
        #expect(report.oldMetadataFilesDeleted == metadataJSON + 1 - 4, "the expiry's own metadata file, 3 logged ones kept")
        #expect(report.snapshotsExpired == before.snapshots.count - 1)
        #expect(report.dataFilesDeleted == inputs.count && report.orphansDeleted == 2, "\(report)")
        let after = try Self.read(lake.root)
        #expect(after.snapshots.count == 1 && after.snapshots[0].rows == 52, "the current snapshot still reads")
        #expect(after.event_ids == Self.ids(0..<52))
        #expect(lake.dataFiles == Set(after.current_files.map { String($0.path.dropFirst("file://".count)) }).union([freshStray]),
                "expired inputs and old orphans are gone; the fresh stray file stays")
        let referenced = Set(after.referenced.map { String($0.dropFirst("file://".count)) })
        #expect(Set(lake.metadataFiles) == referenced.filter { $0.hasPrefix(metadataDir) }, "metadata/ holds only what the table references")
        #expect(lake.metadataFiles.filter { $0.hasSuffix(".metadata.json") }.count == 4,
                "the current metadata file and the 3 write.metadata.previous-versions-max keeps")
        #expect(try lake.published() == Set(after.current_files.map { String($0.path.dropFirst("file://".count)) }),
                "deleted data files left the store's file manifest")

        // The table keeps working: a run appends, a second maintenance with the default retention expires nothing.
        try await lake.run(60, flushRows: 4)
        let kept = try lake.maintenance(at: Date()).run(MaintenanceOptions())
        #expect(kept.snapshotsExpired == 0)
        #expect(try Self.read(lake.root).event_ids == Self.ids(0..<60))
    }

    @Test func manifestsStayBoundedOverFiftyCommits() async throws {
        let lake = try Lake("iceberg-manifests")
        defer { TestDirectories.remove(lake.root) }
        try await lake.run(50, flushRows: 1, tableProperties: ["commit.manifest.min-count-to-merge": "5"])
        let seen = try Self.read(lake.root)
        #expect(seen.snapshots.count >= 50)
        #expect(seen.event_ids == Self.ids(0..<50))
        #expect(seen.current_manifests <= 5, "\(seen.current_manifests) manifests after \(seen.snapshots.count) commits")
        #expect(seen.added_twice.isEmpty)
        #expect(seen.snapshots.suffix(10).allSatisfy { $0.rows != nil }, "time travel reads snapshots with merged manifests")
    }
}

/// A counter shared with a thread.
final class SharedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
