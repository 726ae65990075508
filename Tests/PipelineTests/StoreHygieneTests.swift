import Foundation
import Testing
@testable import Pipeline

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
