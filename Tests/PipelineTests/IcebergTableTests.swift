import EventSchema
import Foundation
import Iceberg
import Parquet
import Testing
import WeirTestSupport
@testable import Pipeline

/// The pipeline writing an Apache Iceberg table (`IcebergTableCommit`), read back by pyiceberg's SqlCatalog on the
/// checkpoint database (testdata/oracles/iceberg_read.py).
@Suite(.serialized) struct IcebergTableTests {
    static let schemaYAML = """
        allow_unknown: false
        schema:
          event_id: {type: string, required: true}
          ts: {type: string, required: true}
          usuario_id: {type: integer, required: true}
          monto: {type: float, nullable: true}
          premium: {type: boolean}
        """

    /// Event i: three days, a null `monto` every 7th, `premium` missing every 5th.
    static func event(_ i: Int) -> [UInt8] {
        let monto = i % 7 == 0 ? "null" : "\(Double(i) * 1.5)"
        let premium = i % 5 == 0 ? "" : ",\"premium\":\(i % 2 == 0)"
        return Array("""
            {"event_id":"e\(String(format: "%03d", i))","ts":"2025-11-0\(1 + i % 3)T\(String(format: "%02d", i % 24)):00:00Z","usuario_id":\(i + 1),"monto":\(monto)\(premium)}
            """.utf8)
    }

    struct Table: Decodable {
        struct Field: Decodable { let id: Int; let name: String; let type: String; let required: Bool }
        struct Spec: Decodable { let name: String; let transform: String; let source_id: Int; let field_id: Int }
        struct Snap: Decodable { let id: Int64; let parent: Int64?; let sequence_number: Int64; let summary: [String: String] }
        struct File: Decodable {
            let path: String
            let partition: [String?]
            let record_count: Int64
            let value_counts: [String: Int64]
            let null_value_counts: [String: Int64]
            let lower: [String: JSONScalar]
            let upper: [String: JSONScalar]
        }
        let schema: [Field]
        let spec: [Spec]
        let snapshots: [Snap]
        let rows: [[String: JSONScalar]]
        let previous_rows: Int?
        let files: [File]
        let added_twice: [String]
        let parquet_field_ids: [String: Int]
    }

    /// A JSON scalar of the oracle's output.
    enum JSONScalar: Decodable, Equatable {
        /// Numbers compare as doubles (microsecond timestamps and offsets are below 2^53, so exact).
        case number(Double), string(String), bool(Bool), null
        static func int(_ v: Int64) -> JSONScalar { .number(Double(v)) }
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let d = try? c.decode(Double.self) {
                self = .number(d)
            } else { self = .string(try c.decode(String.self)) }
        }
    }

    func run(_ root: String, events: [[UInt8]?], flushRows: Int, store: SQLiteCheckpointStore, instance: String? = nil) async throws -> IcebergTableCommit {
        let layout = LakeLayout(root: root)
        var config = PipelineConfig()
        config.flushRows = flushRows
        config.maxPollRecords = 7
        let schema = try EventSchema.load(yaml: Self.schemaYAML)
        let evaluator = RecordEvaluator(schema: schema, config: config)
        let table = try IcebergTableCommit(layout: layout, storage: layout.posixStorage(), store: store, writerOptions: ParquetWriterOptions(),
                                           columns: evaluator.layout.columns, settings: IcebergTableSettings(),
                                           warehouseURI: "file://" + layout.root, instance: instance ?? FileNamer.randomInstanceID())
        let runner = PipelineRunner(config: config, source: InMemoryRecordSource(values: events), store: store, committer: table,
                                    deadLetters: FileDeadLetterSink(), evaluator: evaluator, options: .init(untilIdle: .milliseconds(250)))
        try await runner.run()
        return table
    }

    static func read(_ root: String) throws -> Table {
        try JSONDecoder().decode(Table.self, from: PythonOracle.run("iceberg_read.py", [root, "pi2.events"]))
    }

    @Test func pyicebergReadsEverySnapshotWithTypesPartitionsAndStatistics() async throws {
        let root = Paths.tempDir("iceberg") + "/lake"
        defer { TestDirectories.remove(root) }
        try FileManager.default.createDirectory(atPath: root + "/_weir", withIntermediateDirectories: true)
        let store = try SQLiteCheckpointStore(path: LakeLayout(root: root).storePath)
        let events = (0..<60).map { Self.event($0) } + (0..<6).map { Self.event($0) } + [Array("{".utf8)]
        _ = try await run(root, events: events, flushRows: 20, store: store)
        let table = try Self.read(root)

        // Types and field ids: Iceberg resolves Parquet columns by id.
        let types = Dictionary(uniqueKeysWithValues: table.schema.map { ($0.name, $0.type) })
        #expect(types["event_id"] == "string" && types["ts"] == "timestamptz" && types["usuario_id"] == "long")
        #expect(types["monto"] == "double" && types["premium"] == "boolean" && types["processing_ts"] == "timestamptz")
        #expect(types["_kafka_partition"] == "int" && types["_kafka_offset"] == "long")
        #expect(table.parquet_field_ids == Dictionary(uniqueKeysWithValues: table.schema.map { ($0.name, $0.id) }))
        let tsID = try #require(table.schema.first { $0.name == "ts" }?.id)
        #expect(table.spec.count == 1 && table.spec[0].transform == "day" && table.spec[0].source_id == tsID && table.spec[0].field_id == 1000)

        // Values: every valid event once, as generated.
        #expect(table.rows.count == 60)
        for (i, row) in table.rows.enumerated() {
            #expect(row["event_id"] == .string(String(format: "e%03d", i)))
            let day = Int64(1 + i % 3), hour = Int64(i % 24)
            #expect(row["ts"] == .int(((20_393 + day - 1) * 86_400 + hour * 3600) * 1_000_000), "row \(i) ts")
            #expect(row["usuario_id"] == .int(Int64(i + 1)))
            #expect(row["monto"] == (i % 7 == 0 ? .null : .number(Double(i) * 1.5)), "row \(i) monto")
            #expect(row["premium"] == (i % 5 == 0 ? .null : .bool(i % 2 == 0)), "row \(i) premium")
        }

        // Snapshots: one per flush, a parent chain, sequence numbers 1…n, the Kafka offsets in each summary.
        #expect(table.snapshots.count >= 3)
        for (i, s) in table.snapshots.enumerated() {
            #expect(s.sequence_number == Int64(i + 1))
            #expect(s.parent == (i == 0 ? nil : table.snapshots[i - 1].id))
            #expect(s.summary["operation"] == "append")
            #expect(s.summary["weir.kafka-offsets"]?.hasPrefix("{\"pi2_events\":{\"0\":") == true, "\(s.summary)")
            #expect(s.summary["weir.event-time-watermark"]?.hasPrefix("2025-11-0") == true)
        }
        let last = try #require(table.snapshots.last)
        #expect(last.summary["weir.kafka-offsets"] == "{\"pi2_events\":{\"0\":67}}")
        #expect(last.summary["total-records"] == "60")
        // Time travel: the previous snapshot holds what the last one did not add.
        #expect(table.previous_rows == 60 - Int(last.summary["added-records"] ?? "x")!)
        #expect(table.added_twice.isEmpty)

        // Statistics: counts per file, bounds that hold every value, the partition value the day of its rows.
        #expect(table.files.reduce(0) { $0 + $1.record_count } == 60)
        for f in table.files {
            #expect(f.path.hasPrefix("file://" + root + "/pi2.db/events/data/ts_day=" + (f.partition[0] ?? "?")))
            #expect(f.value_counts.values.allSatisfy { $0 == f.record_count })
            #expect(f.null_value_counts[String(tsID)] == 0)
            guard case .number(let lowValue)? = f.lower[String(tsID)], case .number(let highValue)? = f.upper[String(tsID)] else {
                Issue.record("no ts bounds in \(f.path)"); continue
            }
            let (low, high) = (Int64(lowValue), Int64(highValue))
            #expect(CivilTime.dateString(ofMicros: low) == f.partition[0] && CivilTime.dateString(ofMicros: high) == f.partition[0])
            #expect(low <= high)
        }
        // A null count that is not zero: `monto` is null every 7th event.
        let montoID = String(try #require(table.schema.first { $0.name == "monto" }?.id))
        #expect(table.files.reduce(0) { $0 + ($1.null_value_counts[montoID] ?? 0) } == Int64((0..<60).filter { $0 % 7 == 0 }.count))
    }

    @Test func recoveryDeletesDataFilesNoSnapshotReferences() async throws {
        let root = Paths.tempDir("iceberg-orphans") + "/lake"
        defer { TestDirectories.remove(root) }
        let layout = LakeLayout(root: root)
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        _ = try await run(root, events: (0..<30).map { Self.event($0) }, flushRows: 10, store: store)
        let before = try Self.read(root)

        // A writer that dies after staging a data file, before its commit: the file is in data/ but in no snapshot.
        let orphanPath: String
        do {
            let schema = try EventSchema.load(yaml: Self.schemaYAML)
            let evaluator = RecordEvaluator(schema: schema, config: PipelineConfig())
            let dead = try IcebergTableCommit(layout: layout, storage: layout.posixStorage(), store: store, writerOptions: ParquetWriterOptions(),
                                              columns: evaluator.layout.columns, settings: IcebergTableSettings(),
                                              warehouseURI: "file://" + layout.root)
            var buffer = RowBuffer(layout: evaluator.layout)
            let micros: Int64 = 1_762_000_000_000_000
            buffer.append([.string("e999"), .int64(micros), .int64(1), .double(nil), .boolean(true), .int64(micros), .int32(0), .int64(99)],
                          inputBytes: 10)
            orphanPath = try dead.stage(buffer, directory: "ignored", schema: evaluator.layout.parquetSchema).finalPath
        }  // dropped: its staging lease is released, as when the process dies
        #expect(FileManager.default.fileExists(atPath: orphanPath))

        _ = try await run(root, events: (0..<30).map { Self.event($0) }, flushRows: 10, store: store)
        #expect(!FileManager.default.fileExists(atPath: orphanPath), "the orphan data file is still there")
        let after = try Self.read(root)
        #expect(after.snapshots.count == before.snapshots.count, "a run with nothing new commits no snapshot")
        #expect(after.rows.count == 30)
        // Every data file left in data/ is one the current snapshot references.
        let onDisk = Set(Paths.files(under: root + "/pi2.db/events/data", suffix: ".parquet"))
        #expect(onDisk == Set(after.files.map { String($0.path.dropFirst("file://".count)) }))
    }

    /// A store that knows committed data files of the table but has no pointer (rebuilt from the lake) refuses to
    /// start a new table over them.
    @Test func committedDataWithoutAPointerIsRefused() async throws {
        let root = Paths.tempDir("iceberg-nopointer") + "/lake"
        defer { TestDirectories.remove(root) }
        let layout = LakeLayout(root: root)
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        _ = try await run(root, events: (0..<10).map { Self.event($0) }, flushRows: 10, store: store)
        let db = try SQLiteDatabase(path: layout.storePath)
        _ = try db.prepare("DELETE FROM table_pointers").run()
        _ = try db.prepare("DELETE FROM iceberg_tables").run()
        let evaluator = RecordEvaluator(schema: try EventSchema.load(yaml: Self.schemaYAML), config: PipelineConfig())
        let table = try IcebergTableCommit(layout: layout, storage: layout.posixStorage(), store: store, writerOptions: ParquetWriterOptions(),
                                           columns: evaluator.layout.columns, settings: IcebergTableSettings(),
                                           warehouseURI: "file://" + layout.root)
        do {
            _ = try table.recover()
            Issue.record("recovery accepted committed data files without a catalog pointer")
        } catch let error as StoreError {
            #expect("\(error)".contains("no catalog row"), "\(error)")
            #expect("\(error)".contains(".metadata.json"), "\(error)")
        }
        #expect(Paths.files(under: root + "/pi2.db/events/data", suffix: ".parquet").count >= 3, "data files were deleted")
    }

    /// Two writers of one table through one store: the second one's pointer moves under it between planning and
    /// its transaction; it re-plans on the newer snapshot and commits, and both commits are in the table.
    @Test func aMovedPointerReplansAndBothCommitsLand() throws {
        let root = Paths.tempDir("iceberg-conflict") + "/lake"
        defer { TestDirectories.remove(root) }
        let layout = LakeLayout(root: root)
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let evaluator = RecordEvaluator(schema: try EventSchema.load(yaml: Self.schemaYAML), config: PipelineConfig())
        func writer() throws -> IcebergTableCommit {
            try IcebergTableCommit(layout: layout, storage: layout.posixStorage(), store: store, writerOptions: ParquetWriterOptions(),
                                   columns: evaluator.layout.columns, settings: IcebergTableSettings(), warehouseURI: "file://" + layout.root)
        }
        func commit(_ table: IcebergTableCommit, id: String, partition: Int32) throws -> CheckpointCommit {
            var buffer = RowBuffer(layout: evaluator.layout)
            let micros: Int64 = 1_762_000_000_000_000
            buffer.append([.string(id), .int64(micros), .int64(1), .double(2.5), .boolean(false), .int64(micros), .int32(partition), .int64(0)],
                          inputBytes: 10)
            var c = CheckpointCommit()
            c.offsets = [SourcePartition(topic: "t", partition: partition): OffsetAdvance(expected: nil, next: 1)]
            c.files = [try table.stage(buffer, directory: "ignored", schema: evaluator.layout.parquetSchema)]
            return c
        }
        let a = try writer(), b = try writer()
        let conflicts = Counter()
        b.onCatalogCommit = { _, _, n in conflicts.add(n) }
        let commitA = try commit(a, id: "e001", partition: 0)
        let commitB = try commit(b, id: "e002", partition: 1)
        let once = Counter()
        b.faultHook = { step in
            // B has planned and written its metadata; A commits first.
            if step == "staged" && once.add(1) == 1 { _ = try? a.commit(commitA) }
        }
        _ = try b.commit(commitB)
        #expect(conflicts.value == 1, "B should have re-planned once")
        let table = try Self.read(root)
        #expect(table.rows.map { $0["event_id"] } == [.string("e001"), .string("e002")])
        #expect(table.snapshots.count == 2 && table.snapshots[1].parent == table.snapshots[0].id)
        #expect(table.added_twice.isEmpty)
        // The manifest list and metadata file of B's refused first plan were deleted.
        let metadataFiles = (try FileManager.default.contentsOfDirectory(atPath: root + "/pi2.db/events/metadata"))
        // The table's creation file (no snapshot) and one per snapshot.
        #expect(metadataFiles.filter { $0.hasSuffix(".metadata.json") }.count == 3, "\(metadataFiles)")
        #expect(metadataFiles.filter { $0.hasPrefix("snap-") }.count == 2, "\(metadataFiles)")
    }

    /// A flush that lands no row (only dead letters and duplicates) moves the offsets but adds no empty snapshot.
    @Test func aFlushWithoutRowsAddsNoSnapshot() async throws {
        let root = Paths.tempDir("iceberg-norows") + "/lake"
        defer { TestDirectories.remove(root) }
        let layout = LakeLayout(root: root)
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let events: [[UInt8]?] = (0..<10).map { Self.event($0) } + (0..<10).map { _ in Array("{".utf8) } + (0..<10).map { Self.event($0) }
        _ = try await run(root, events: events, flushRows: 10, store: store)
        let table = try Self.read(root)
        #expect(table.rows.count == 10)
        #expect(table.snapshots.count == 1, "\(table.snapshots.map(\.summary))")
        #expect(try store.storedOffsets([SourcePartition(topic: "pi2_events", partition: 0)]).values.first == 30)
    }

    /// A thread-safe counter for hooks.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var value: Int { lock.withLock { count } }
        @discardableResult func add(_ n: Int) -> Int { lock.withLock { count += n; return count } }
    }
}
