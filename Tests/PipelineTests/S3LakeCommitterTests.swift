import Foundation
import ObjectStore
import ObjectStoreTestSupport
import Parquet
import Testing
@testable import Pipeline

/// `LakeCommitter` over `S3Storage` on SeaweedFS: recovery takes over an expired lease, fences its writer in the
/// store, finishes its committed files and deletes the rest; the fenced writer (a zombie that still runs) can
/// neither commit again nor fail on a publish that recovery finished for it. With either store (SQLite, PostgreSQL).
@Suite struct S3LakeCommitterTests {
    let p = SourcePartition(topic: "t", partition: 0)

    @Test(.timeLimit(.minutes(3)), arguments: StoreKind.allCases)
    func recoveryFencesAZombieAndFinishesItsCommit(kind: StoreKind) throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let dir = Paths.tempDir("s3-committer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = LakeLayout(root: "s3://\(server.bucket)/lake", checkpointPath: dir + "/checkpoint.sqlite")
        try layout.createDirectories()
        let store = kind == .sqlite ? try SQLiteCheckpointStore(path: layout.storePath) : try kind.fresh("s3committer").store
        let refused = Locked<[String]>([])
        let clock = Locked<TimeInterval>(0)
        func storage() throws -> S3Storage {
            S3Storage(client: try server.client(), location: try #require(layout.objectLocation), leaseTTL: .seconds(30),
                      onRefusedWrite: { uri in refused.withLock { $0.append(uri) } },
                      now: { Date().addingTimeInterval(clock.withLock { $0 }) })
        }
        let a = try LakeCommitter(layout: layout, storage: try storage(), store: store, writerOptions: ParquetWriterOptions(),
                                  instance: "aaaaaaaaaaaa")
        _ = try a.recover()
        // A's first commit lands normally and moves its fence pointer to live.
        var first = CheckpointCommit()
        first.offsets = [p: OffsetAdvance(expected: nil, next: 1)]
        first.files = [try a.stage(bytes: Array("one".utf8), relativeDirectory: "date=2025-10-30", prefix: "part", ext: "parquet", rows: 1)]
        _ = try a.commit(first)
        #expect(a.storage.exists(layout.name(ofPath: first.files[0].finalPath)))
        #expect(try store.tablePointer(StagingFence.pointer("aaaaaaaaaaaa")) == StagingFence.live)
        // B starts while A is alive: A's prefix is left alone.
        let b = try LakeCommitter(layout: layout, storage: try storage(), store: store, writerOptions: ParquetWriterOptions(),
                                  instance: "bbbbbbbbbbbb")
        #expect(try b.recover() == RecoveryReport(), "A's lease is alive: nothing is touched")
        // A's second commit gets through the store transaction; then A stalls before publishing (a zombie).
        var second = CheckpointCommit()
        second.offsets = [p: OffsetAdvance(expected: 1, next: 2)]
        second.owner = a.instance
        second.files = [try a.stage(bytes: Array("two".utf8), relativeDirectory: "date=2025-10-30", prefix: "part", ext: "parquet", rows: 1)]
        second.tablePointers = [StagingFence.update(a.instance, expected: StagingFence.live)]
        _ = try store.commit(second)
        let orphan = try a.stage(bytes: Array("uncommitted".utf8), relativeDirectory: "date=2025-10-30", prefix: "part", ext: "parquet", rows: 1)

        // B's clock now says A's lease is long expired (as if A had stalled; its heartbeat in fact still runs).
        clock.withLock { $0 = 3600 }
        let report = try b.recover()
        #expect(report.rolledForward == 1)
        #expect(report.orphansRemoved == 1)
        #expect(try store.tablePointer(StagingFence.pointer("aaaaaaaaaaaa")) == StagingFence.fenced)
        #expect(try b.storage.get(layout.name(ofPath: second.files[0].finalPath)) == Array("two".utf8))
        #expect(!b.storage.exists(layout.name(ofPath: orphan.stagingPath)))
        #expect(try store.unpublishedFiles().isEmpty)

        // A resumes: its publish of the commit recovery finished is refused and counted, not an error.
        try a.publish(second.files)
        #expect(refused.withLock { $0 } == ["s3://\(server.bucket)/lake/" + layout.name(ofPath: second.files[0].finalPath)])
        // Its next commit is refused by the fence, even though its offsets still match, and lands nothing.
        var third = CheckpointCommit()
        third.offsets = [p: OffsetAdvance(expected: 2, next: 3)]
        third.files = [try a.stage(bytes: Array("three".utf8), relativeDirectory: "date=2025-10-30", prefix: "part", ext: "parquet", rows: 1)]
        #expect(throws: StagingLeaseLost.self) { _ = try a.commit(third) }
        #expect(!a.storage.exists(layout.name(ofPath: third.files[0].finalPath)))
        #expect(!a.storage.exists(layout.name(ofPath: third.files[0].stagingPath)))
        #expect(try store.storedOffsets([p])[p] == 2)
        #expect(try a.storage.list("date=2025-10-30").count == 2)
    }
}
