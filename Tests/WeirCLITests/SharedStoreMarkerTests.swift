import Foundation
import Pipeline
import Testing
@testable import WeirCLI

/// The lake's record of its checkpoint store (`_weir/checkpoint-store`): of two hosts starting together on a new
/// lake with different stores, whichever records first wins and the other stops when it reads the record back
/// (found by a new-user trial: two hosts started at once on other databases landed 476 rows twice).
struct SharedStoreMarkerTests {
    func lake(_ name: String) throws -> (POSIXStorage, String) {
        let dir = try RepoPaths.temporaryDirectory("marker-" + name)
        try FileManager.default.createDirectory(atPath: dir + "/_weir", withIntermediateDirectories: true)
        return (POSIXStorage(root: dir, lockDirectory: dir + "/_weir/locks"), dir)
    }

    @Test func theSecondOfTwoDatabasesStopsWhateverTheOrderOfTheirChecks() throws {
        let (storage, root) = try lake("two-db")
        defer { RepoPaths.remove(root) }
        // Both checked before either recorded (nothing to refuse yet), then both record: A got there first.
        try SharedStoreMarker.refuseOtherStore(storage, lakeRoot: root, location: "pg/a", storeID: "A")
        try SharedStoreMarker.refuseOtherStore(storage, lakeRoot: root, location: "pg/b", storeID: "B")
        try SharedStoreMarker.record(storage, location: "pg/a", storeID: "A")
        try SharedStoreMarker.record(storage, location: "pg/b", storeID: "B")
        try SharedStoreMarker.verifyRecorded(storage, lakeRoot: root, location: "pg/a", storeID: "A")
        do {
            try SharedStoreMarker.verifyRecorded(storage, lakeRoot: root, location: "pg/b", storeID: "B")
            Issue.record("the host on the other database went on")
        } catch let error as ConfigError {
            #expect(error.key == "checkpoint.url")
            #expect(error.message.contains("points at pg/b (store id B), but the lake \(root) keeps its checkpoint in pg/a (store id A"), "\(error)")
        }
        // A host without the URL stops too.
        try SharedStoreMarker.recordSQLite(storage, path: root + "/_weir/checkpoint.sqlite")
        #expect(throws: ConfigError.self) {
            try SharedStoreMarker.verifyRecorded(storage, lakeRoot: root, location: root + "/_weir/checkpoint.sqlite", storeID: nil)
        }
    }

    /// Three SQLite hosts started on one new lake: one read the marker while another was writing it, took the empty
    /// file for a PostgreSQL record and stopped (RebalanceTests, 2026-12-07). The marker is now published whole,
    /// and a marker that names no store (an earlier version's leftover) is no record at all.
    @Test func theMarkerIsPublishedWholeAndAnEmptyOneNamesNoStore() throws {
        let (storage, root) = try lake("whole")
        defer { RepoPaths.remove(root) }
        try storage.put(SharedStoreMarker.objectName, bytes: [])
        #expect(try SharedStoreMarker.read(storage) == nil)
        try SharedStoreMarker.verifyRecorded(storage, lakeRoot: root, location: root + "/_weir/checkpoint.sqlite", storeID: nil)
        try storage.delete(SharedStoreMarker.objectName)

        try SharedStoreMarker.recordSQLite(storage, path: root + "/_weir/checkpoint.sqlite")
        #expect(try SharedStoreMarker.read(storage) == .init(isPostgres: false, location: root + "/_weir/checkpoint.sqlite", storeID: nil))
        #expect(try storage.list("_weir").filter { $0.hasPrefix(".") }.isEmpty, "no hidden object left behind")
        #expect(throws: StorageError.self) { try storage.putWhole(SharedStoreMarker.objectName, bytes: Array("sqlite x\n".utf8)) }
        #expect(try storage.list("_weir").filter { $0.hasPrefix(".") }.isEmpty, "the refused one's hidden object deleted")
    }

    @Test func aSQLiteLakeRefusesAPostgreSQLHostAndReplaceStoreMovesIt() throws {
        let (storage, root) = try lake("sqlite-first")
        defer { RepoPaths.remove(root) }
        try SharedStoreMarker.recordSQLite(storage, path: root + "/_weir/checkpoint.sqlite")
        try SharedStoreMarker.record(storage, location: "pg/a", storeID: "A")
        try SharedStoreMarker.verifyRecorded(storage, lakeRoot: root, location: root + "/_weir/checkpoint.sqlite", storeID: nil)
        do {
            try SharedStoreMarker.verifyRecorded(storage, lakeRoot: root, location: "pg/a", storeID: "A")
            Issue.record("a PostgreSQL host went on beside the lake's SQLite store")
        } catch let error as ConfigError {
            #expect(error.message.contains("keeps its checkpoint in SQLite (\(root)/_weir/checkpoint.sqlite"), "\(error)")
            #expect(error.fix.contains("--replace-store"))
        }
        try SharedStoreMarker.replace(storage, location: "pg/a", storeID: "A")
        try SharedStoreMarker.verifyRecorded(storage, lakeRoot: root, location: "pg/a", storeID: "A")
        #expect(throws: ConfigError.self) { try SharedStoreMarker.refuseLocalStore(storage, lakeRoot: root) }
        #expect(try SharedStoreMarker.read(storage) == SharedStoreMarker.Recorded(isPostgres: true, location: "pg/a", storeID: "A"))
    }
}
