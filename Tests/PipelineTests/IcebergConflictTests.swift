import EventSchema
import Foundation
import Iceberg
import Parquet
import Testing
import WeirTestSupport
@testable import Pipeline

/// A writer whose table pointer another writer moves again and again (`IcebergTableCommit.commit`): after three
/// refused compare-and-sets in a row the commit is refused, the conflicts are reported, and nothing of it stays.
@Suite(.serialized) struct IcebergConflictTests {
    @Test func aCommitRefusedThreeTimesInARowIsRefusedAndCounted() throws {
        let root = Paths.tempDir("iceberg-refused") + "/lake"
        defer { TestDirectories.remove(root) }
        let layout = LakeLayout(root: root)
        try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let evaluator = RecordEvaluator(schema: try EventSchema.load(yaml: IcebergTableTests.schemaYAML), config: PipelineConfig())
        func writer() throws -> IcebergTableCommit {
            try IcebergTableCommit(layout: layout, storage: layout.posixStorage(), store: store, writerOptions: ParquetWriterOptions(),
                                   columns: evaluator.layout.columns, settings: IcebergTableSettings(), warehouseURI: "file://" + layout.root)
        }
        func commit(_ table: IcebergTableCommit, id: String, partition: Int32, offset: Int64) throws -> CheckpointCommit {
            var buffer = RowBuffer(layout: evaluator.layout)
            let micros: Int64 = 1_762_000_000_000_000
            buffer.append([.string(id), .int64(micros), .int64(1), .double(2.5), .boolean(false), .int64(micros), .int32(partition), .int64(offset)],
                          inputBytes: 10)
            var c = CheckpointCommit()
            c.offsets = [SourcePartition(topic: "t", partition: partition): OffsetAdvance(expected: offset == 0 ? nil : offset, next: offset + 1)]
            c.files = [try table.stage(buffer, directory: "ignored", schema: evaluator.layout.parquetSchema)]
            return c
        }
        let a = try writer(), b = try writer()
        let refused = IcebergTableTests.Counter(), succeeded = IcebergTableTests.Counter()
        b.onCatalogCommitRefused = { refused.add($0) }
        b.onCatalogCommit = { _, _, n in succeeded.add(1 + n) }
        let commitB = try commit(b, id: "e100", partition: 1, offset: 0)
        let commitsA = try (1...3).map { try commit(a, id: "e00\($0)", partition: 0, offset: Int64($0 - 1)) }
        let aCommits = IcebergTableTests.Counter()
        // Every time B has planned and is about to run its store transaction, A commits first.
        b.faultHook = { step in
            guard step == "staged" else { return }
            let n = aCommits.add(1)
            if n <= commitsA.count { _ = try? a.commit(commitsA[n - 1]) }
        }
        #expect(throws: TablePointerConflict.self) { _ = try b.commit(commitB) }
        #expect(refused.value == 3, "B gave up after 3 conflicts")
        #expect(succeeded.value == 0)
        let table = try IcebergTableTests.read(root)
        #expect(table.rows.map { $0["event_id"] } == [.string("e001"), .string("e002"), .string("e003")])
        #expect(table.snapshots.count == 3)
        // B's data file, manifest, manifest lists and metadata files are gone; its offsets did not move.
        let data = Paths.files(under: root + "/pi2.db/events/data", suffix: ".parquet")
        #expect(data.count == 3 && !data.contains { $0.contains(b.instance) }, "\(data)")
        let metadata = try FileManager.default.contentsOfDirectory(atPath: root + "/pi2.db/events/metadata")
        // (The table's creation file, version 0 without snapshots, is committed on its own and may be B's.)
        #expect(!metadata.contains { $0.contains(b.instance) && !$0.hasPrefix("00000-") }, "\(metadata)")
        #expect(try store.storedOffsets([SourcePartition(topic: "t", partition: 1)]).isEmpty)
    }
}
