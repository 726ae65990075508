import EventSchema
import Foundation
import Iceberg
import Parquet
import Testing
import WeirTestSupport
@testable import Pipeline

/// Schema evolution of an Iceberg table (docs/ICEBERG.md, "Schema evolution"): runs with a changed Weir schema on
/// an existing table, read back by pyiceberg.
@Suite(.serialized) struct IcebergSchemaEvolutionTests {
    /// `IcebergTableTests.schemaYAML` plus `canal` (a string, after `premium`).
    static let withCanal = IcebergTableTests.schemaYAML + "\n  canal: {type: string, nullable: true}"

    static func event(_ i: Int, canal: Bool) -> [UInt8] {
        var text = String(decoding: IcebergTableTests.event(i), as: UTF8.self)
        if canal { text = String(text.dropLast()) + ",\"canal\":\"c\(i)\"}" }
        return Array(text.utf8)
    }

    func writer(_ layout: LakeLayout, _ store: SQLiteCheckpointStore, schemaYAML: String) throws -> (IcebergTableCommit, RecordEvaluator) {
        let evaluator = RecordEvaluator(schema: try EventSchema.load(yaml: schemaYAML), config: PipelineConfig())
        let table = try IcebergTableCommit(layout: layout, storage: layout.posixStorage(), store: store, writerOptions: ParquetWriterOptions(),
                                           columns: evaluator.layout.columns, settings: IcebergTableSettings(),
                                           warehouseURI: "file://" + layout.root)
        return (table, evaluator)
    }

    func run(_ layout: LakeLayout, _ store: SQLiteCheckpointStore, schemaYAML: String, events: [[UInt8]]) async throws {
        var config = PipelineConfig()
        config.flushRows = 10
        let (table, evaluator) = try writer(layout, store, schemaYAML: schemaYAML)
        let runner = PipelineRunner(config: config, source: InMemoryRecordSource(values: events), store: store, committer: table,
                                    deadLetters: FileDeadLetterSink(), evaluator: evaluator, options: .init(untilIdle: .milliseconds(250)))
        try await runner.run()
        table.close()
    }

    static func lake(_ name: String) throws -> (LakeLayout, SQLiteCheckpointStore) {
        let layout = LakeLayout(root: Paths.tempDir(name) + "/lake")
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        return (layout, try SQLiteCheckpointStore(path: layout.storePath))
    }

    @Test func anAddedFieldBecomesANewColumnAndOldRowsReadItAsNull() async throws {
        let (layout, store) = try Self.lake("iceberg-evolve")
        defer { TestDirectories.remove(layout.root) }
        try await run(layout, store, schemaYAML: IcebergTableTests.schemaYAML, events: (0..<20).map { Self.event($0, canal: false) })
        let before = try IcebergTableTests.read(layout.root)
        try await run(layout, store, schemaYAML: Self.withCanal, events: (0..<40).map { Self.event($0, canal: $0 >= 20) })
        let table = try IcebergTableTests.read(layout.root)

        // Every old field keeps its id; canal gets last-column-id + 1, optional; the data files carry it.
        let oldIDs = Dictionary(uniqueKeysWithValues: before.schema.map { ($0.name, $0.id) })
        let newIDs = Dictionary(uniqueKeysWithValues: table.schema.map { ($0.name, $0.id) })
        for (name, id) in oldIDs { #expect(newIDs[name] == id, "field \(name)") }
        let canal = try #require(table.schema.first { $0.name == "canal" })
        #expect(canal.id == oldIDs.values.max()! + 1 && canal.type == "string" && !canal.required)
        #expect(table.schema.count == before.schema.count + 1)

        // Both generations read: old rows null in canal, new rows with their values.
        #expect(table.rows.count == 40)
        for (i, row) in table.rows.enumerated() {
            #expect(row["event_id"] == .string(String(format: "e%03d", i)))
            #expect(row["canal"] == (i < 20 ? .null : .string("c\(i)")), "row \(i)")
            #expect(row["usuario_id"] == .int(Int64(i + 1)))
        }
        #expect(table.added_twice.isEmpty)
        // A new data file carries canal's field id (the oracle reads the first file of the scan; check all).
        let newFiles = table.files.filter { ($0.value_counts[String(canal.id)] ?? 0) > 0 }
        #expect(newFiles.reduce(0) { $0 + $1.record_count } == 20, "the second run's files have canal statistics")

        // The table metadata: schema 0 for the first run's snapshots, schema 1 after.
        let metadata = try Self.currentMetadata(layout, store)
        #expect(metadata.schemas.map(\.schemaID) == [0, 1] && metadata.currentSchemaID == 1 && metadata.lastColumnID == canal.id)
        #expect(metadata.snapshots.map(\.schemaID) == Array(repeating: 0, count: before.snapshots.count)
            + Array(repeating: 1, count: metadata.snapshots.count - before.snapshots.count))
    }

    @Test func aRemovedFieldStaysInTheTableAndNewRowsReadItAsNull() async throws {
        let (layout, store) = try Self.lake("iceberg-drop")
        defer { TestDirectories.remove(layout.root) }
        try await run(layout, store, schemaYAML: IcebergTableTests.schemaYAML, events: (0..<20).map { Self.event($0, canal: false) })
        let withoutPremium = IcebergTableTests.schemaYAML.replacingOccurrences(of: "\n  premium: {type: boolean}", with: "")
        #expect(withoutPremium != IcebergTableTests.schemaYAML)
        let later = (20..<30).map { Array(String(decoding: Self.event($0, canal: false), as: UTF8.self)
            .replacingOccurrences(of: ",\"premium\":true", with: "").replacingOccurrences(of: ",\"premium\":false", with: "").utf8) }
        try await run(layout, store, schemaYAML: withoutPremium, events: (0..<20).map { Self.event($0, canal: false) } + later)
        let table = try IcebergTableTests.read(layout.root)
        let premium = try #require(table.schema.first { $0.name == "premium" })
        #expect(!premium.required)
        #expect(table.rows.count == 30)
        for (i, row) in table.rows.enumerated() {
            #expect(row["premium"] == (i >= 20 || i % 5 == 0 ? .null : .bool(i % 2 == 0)), "row \(i)")
        }
    }

    @Test func anIncompatibleTypeChangeIsRefusedAtStartupNamingTableColumnTypesAndFix() async throws {
        let (layout, store) = try Self.lake("iceberg-incompatible")
        defer { TestDirectories.remove(layout.root) }
        try await run(layout, store, schemaYAML: IcebergTableTests.schemaYAML, events: (0..<10).map { Self.event($0, canal: false) })
        let pointer = try store.tablePointer(IcebergTableSettings().pointerKey)
        let stringUser = IcebergTableTests.schemaYAML.replacingOccurrences(of: "usuario_id: {type: integer", with: "usuario_id: {type: string")
        #expect(stringUser != IcebergTableTests.schemaYAML)
        do {
            _ = try writer(layout, store, schemaYAML: stringUser)
            Issue.record("a long → string change was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "schema.file")
            for part in ["pi2.events", "'usuario_id'", "long", "string", "lake.iceberg.table"] {
                #expect("\(error)".contains(part), "\(error) lacks \(part)")
            }
        }
        #expect(try store.tablePointer(IcebergTableSettings().pointerKey) == pointer, "the table changed")
        #expect(try IcebergTableTests.read(layout.root).rows.count == 10)
    }

    static func currentMetadata(_ layout: LakeLayout, _ store: SQLiteCheckpointStore) throws -> TableMetadata {
        let location = try #require(try store.tablePointer(IcebergTableSettings().pointerKey))
        return try TableMetadata.decode(Array(try Data(contentsOf: URL(fileURLWithPath: String(location.dropFirst("file://".count))))))
    }
}
