import Foundation
import Testing
import WeirTestSupport
@testable import Pipeline

/// The SQL catalog (`iceberg_tables`, the JDBC catalog's layout) lives in the checkpoint store and moves with the
/// offsets, by the same compare-and-set as the table pointer.
@Suite struct IcebergCatalogStoreTests {
    static let table = CatalogTableName(catalogName: "weir", namespace: "pi2", name: "events")

    static func row(_ path: String) throws -> (String?, String?)? {
        let db = try SQLiteDatabase(path: path)
        var found: (String?, String?)?
        try db.prepare("""
            SELECT metadata_location, previous_metadata_location FROM iceberg_tables
            WHERE catalog_name = 'weir' AND table_namespace = 'pi2' AND table_name = 'events'
            """).query { r in found = (r.isNull(0) ? nil : r.text(0), r.isNull(1) ? nil : r.text(1)) }
        return found
    }

    @Test func catalogRowMovesWithTheOffsetsAndRefusesAStaleWriter() throws {
        let dir = Paths.tempDir("iceberg-catalog")
        defer { TestDirectories.remove(dir) }
        let path = dir + "/checkpoint.sqlite"
        let store = try SQLiteCheckpointStore(path: path)
        let partition = SourcePartition(topic: "t", partition: 0)
        var first = CheckpointCommit()
        first.offsets = [partition: OffsetAdvance(expected: nil, next: 10)]
        first.tablePointers = [TablePointerUpdate(table: "iceberg:weir:pi2.events", expected: nil, new: "file:///l/m/00000-a.metadata.json",
                                                  catalogTable: Self.table)]
        _ = try store.commit(first)
        #expect(try Self.row(path)?.0 == "file:///l/m/00000-a.metadata.json")
        #expect(try Self.row(path)?.1 == nil)

        var second = CheckpointCommit()
        second.offsets = [partition: OffsetAdvance(expected: 10, next: 20)]
        second.tablePointers = [TablePointerUpdate(table: "iceberg:weir:pi2.events", expected: "file:///l/m/00000-a.metadata.json",
                                                   new: "file:///l/m/00001-b.metadata.json", catalogTable: Self.table)]
        _ = try store.commit(second)
        #expect(try Self.row(path)?.0 == "file:///l/m/00001-b.metadata.json")
        #expect(try Self.row(path)?.1 == "file:///l/m/00000-a.metadata.json")

        // Another catalog client (pyiceberg, Spark) moved the row: Weir's next commit is refused, nothing of it lands.
        let other = try SQLiteDatabase(path: path)
        _ = try other.prepare("UPDATE iceberg_tables SET metadata_location = 'file:///l/m/00002-x.metadata.json'").run()
        var third = CheckpointCommit()
        third.offsets = [partition: OffsetAdvance(expected: 20, next: 30)]
        third.tablePointers = [TablePointerUpdate(table: "iceberg:weir:pi2.events", expected: "file:///l/m/00001-b.metadata.json",
                                                  new: "file:///l/m/00002-c.metadata.json", catalogTable: Self.table)]
        #expect(throws: TablePointerConflict.self) { try store.commit(third) }
        #expect(try store.storedOffsets([partition]) == [partition: 20])
        #expect(try store.tablePointer("iceberg:weir:pi2.events") == "file:///l/m/00001-b.metadata.json")
    }
}
