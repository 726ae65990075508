import Foundation
import Parquet
import Testing
@testable import Pipeline

@Suite struct LakeCommitterTests {
    let p = SourcePartition(topic: "t", partition: 0)

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Instance A stages two files and the store commits one of them (a crash right after the store commit), then
    /// A dies. B recovers: the committed file is rolled forward, the uncommitted one is deleted. C is alive with a
    /// committed-but-unpublished file and an uncommitted one: B leaves C's staging alone.
    @Test func recoveryRollsForwardDeadInstancesAndSparesLiveOnes() throws {
        let layout = LakeLayout(root: Paths.tempDir("recover") + "/lake")
        try layout.createDirectories()
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        var committed: StagedFile!
        var orphan: StagedFile!
        do {
            let a = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions(), instance: "aaaaaaaaaaaa")
            committed = try a.stage(bytes: Array("committed".utf8), relativeDirectory: "date=2025-10-30", prefix: "part", ext: "parquet", rows: 1)
            orphan = try a.stage(bytes: Array("orphan".utf8), relativeDirectory: "date=2025-10-30", prefix: "part", ext: "parquet", rows: 1)
            var c = CheckpointCommit()
            c.offsets = [p: OffsetAdvance(expected: nil, next: 1)]
            c.files = [committed]
            c.owner = a.instance
            _ = try store.commit(c)
            // A LakeCommitter of the same instance cannot start while A holds its lock.
            #expect(throws: (any Error).self) {
                _ = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions(), instance: "aaaaaaaaaaaa")
            }
            withExtendedLifetime(a) {}
        } // A deinits: its flock is released, as when the process dies.
        #expect(exists(committed.stagingPath) && !exists(committed.finalPath))

        let live = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions(), instance: "cccccccccccc")
        let liveCommitted = try live.stage(bytes: Array("live".utf8), relativeDirectory: "date=2025-10-31", prefix: "part", ext: "parquet", rows: 1)
        let liveStaged = try live.stage(bytes: Array("live2".utf8), relativeDirectory: "date=2025-10-31", prefix: "part", ext: "parquet", rows: 1)
        var cc = CheckpointCommit()
        cc.files = [liveCommitted]
        cc.owner = live.instance
        _ = try store.commit(cc)

        let b = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions(), instance: "bbbbbbbbbbbb")
        let report = try b.recover()
        #expect(report.rolledForward == 1)
        #expect(report.orphansRemoved == 1)
        #expect(exists(committed.finalPath) && !exists(committed.stagingPath))
        #expect(try String(contentsOfFile: committed.finalPath, encoding: .utf8) == "committed")
        #expect(!exists(orphan.stagingPath) && !exists(orphan.finalPath))
        #expect(!exists(layout.stagingDirectory(instance: "aaaaaaaaaaaa")), "dead instance's staging dir removed")
        // The live instance is untouched.
        #expect(exists(liveCommitted.stagingPath) && !exists(liveCommitted.finalPath))
        #expect(exists(liveStaged.stagingPath))
        #expect(try store.unpublishedFiles().map(\.file) == [liveCommitted])
        // Recovery is idempotent.
        #expect(try b.recover() == RecoveryReport())
        withExtendedLifetime(live) {}
    }

    @Test func refusedCommitDeletesItsStagedFiles() throws {
        let layout = LakeLayout(root: Paths.tempDir("refused") + "/lake")
        try layout.createDirectories()
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let committer = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions())
        var first = CheckpointCommit()
        first.offsets = [p: OffsetAdvance(expected: nil, next: 5)]
        let f1 = try committer.stage(bytes: [1], relativeDirectory: "date=2025-10-30", prefix: "part", ext: "parquet", rows: 1)
        first.files = [f1]
        _ = try committer.commit(first)
        #expect(exists(f1.finalPath) && !exists(f1.stagingPath))
        #expect(try store.unpublishedFiles().isEmpty)
        var stale = CheckpointCommit()
        stale.offsets = [p: OffsetAdvance(expected: nil, next: 9)]
        let f2 = try committer.stage(bytes: [2], relativeDirectory: "date=2025-10-30", prefix: "part", ext: "parquet", rows: 1)
        stale.files = [f2]
        #expect(throws: OffsetConflict.self) { _ = try committer.commit(stale) }
        #expect(!exists(f2.stagingPath) && !exists(f2.finalPath))
        #expect(f1.finalPath != f2.finalPath)
    }

    @Test func fileNamesAreUniqueAndDatedUTC() {
        var n = FileNamer(instance: "abc")
        let date = Date(timeIntervalSince1970: -1) // 1969-12-31T23:59:59Z
        let a = n.next(at: date), b = n.next(at: date)
        #expect(a == "part-19691231T235959-abc-000001.parquet")
        #expect(b == "part-19691231T235959-abc-000002.parquet")
        #expect(n.next(prefix: "dlq", ext: "jsonl", at: Date(timeIntervalSince1970: 1_709_938_800)) == "dlq-20240308T230000-abc-000003.jsonl")
    }

    @Test func committedFileMissingEverywhereIsAnError() throws {
        let layout = LakeLayout(root: Paths.tempDir("missing") + "/lake")
        try layout.createDirectories()
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        do {
            let a = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions(), instance: "dddddddddddd")
            let f = try a.stage(bytes: [1], relativeDirectory: "date=2025-10-30", prefix: "part", ext: "parquet", rows: 1)
            var c = CheckpointCommit()
            c.files = [f]
            c.owner = a.instance
            _ = try store.commit(c)
            try FileManager.default.removeItem(atPath: f.stagingPath)
            withExtendedLifetime(a) {}
        }
        let b = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions())
        #expect(throws: LakeRecoveryError.self) { _ = try b.recover() }
    }
}

@Suite struct FlushPolicyTests {
    @Test func triggers() {
        let p = FlushPolicy(maxRows: 10, maxBytes: 1_000, interval: .seconds(5))
        #expect(p.trigger(rows: 9, bytes: 999, age: .seconds(4)) == nil)
        #expect(p.trigger(rows: 0, bytes: 0, age: nil) == nil)
        #expect(p.trigger(rows: 10, bytes: 0, age: nil) == "rows")
        #expect(p.trigger(rows: 0, bytes: 1_000, age: nil) == "bytes")
        #expect(p.trigger(rows: 0, bytes: 0, age: .seconds(5)) == "interval")
    }
}
