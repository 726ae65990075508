import Foundation
import Testing
@testable import Pipeline

/// What the object-storage commit protocol (docs/S3.md) asks of a checkpoint store, run against every
/// implementation: each writer's fence pointer moves none → live → live by compare-and-set inside its commits;
/// recovery fences it in a transaction of its own, after which the writer's commits are refused whole; the
/// manifest lists committed-but-unpublished files with their owner by `s3://` names; publish marks are
/// idempotent; compaction's `replaceFiles` is all or nothing.
@Suite struct ObjectStorageStoreContractTests {
    let p = SourcePartition(topic: "t", partition: 0)

    func object(_ name: String, _ instance: String) -> StagedFile {
        StagedFile(stagingPath: "s3://b/lake/_weir/staging/\(instance)/\(name).parquet.tmp",
                   finalPath: "s3://b/lake/date=2025-10-30/\(name).parquet", hivePartition: "date=2025-10-30", rows: 2, bytes: 100)
    }

    func writerCommit(_ offsets: [SourcePartition: OffsetAdvance], files: [StagedFile] = [], keys: [DedupKey] = [],
                      instance: String, fence expected: String?) -> CheckpointCommit {
        var c = commit(offsets, keys: keys, files: files, totals: ["total": 1], owner: instance)
        c.tablePointers = [StagingFence.update(instance, expected: expected)]
        return c
    }

    @Test(arguments: StoreKind.allCases)
    func fencePointersManifestAndPublishMarks(kind: StoreKind) throws {
        let fresh = try kind.fresh("s3fence")
        let (writer, recovery) = (fresh.store, try fresh.open())
        let id1 = try writer.commit(writerCommit([p: OffsetAdvance(expected: nil, next: 2)], files: [object("a1", "a")], keys: [key(1)],
                                                 instance: "a", fence: nil))
        #expect(try recovery.tablePointer(StagingFence.pointer("a")) == StagingFence.live)
        #expect(throws: TablePointerConflict.self, "a second first commit of the same writer") {
            _ = try writer.commit(writerCommit([:], instance: "a", fence: nil))
        }
        let id2 = try writer.commit(writerCommit([p: OffsetAdvance(expected: 2, next: 4)], files: [object("a2", "a")], keys: [key(2)],
                                                 instance: "a", fence: StagingFence.live))
        let q = SourcePartition(topic: "t", partition: 1)
        _ = try recovery.commit(writerCommit([q: OffsetAdvance(expected: nil, next: 1)], files: [object("b1", "b")], instance: "b", fence: nil))
        try writer.markPublished(commitIDs: [id1])

        // Recovery's view of the committed-but-unpublished files: per owner, by their s3:// names.
        let pending = try recovery.unpublishedFiles()
        #expect(pending.filter { $0.owner == "a" }.map(\.file) == [object("a2", "a")])
        #expect(pending.filter { $0.owner == "a" }.map(\.commitID) == [id2])
        #expect(pending.filter { $0.owner == "b" }.map(\.file) == [object("b1", "b")])

        // Fencing is its own transaction, idempotent, and moves nothing else.
        try StagingFence.fence("a", by: "b", store: recovery)
        try StagingFence.fence("a", by: "b", store: recovery)
        #expect(try writer.tablePointer(StagingFence.pointer("a")) == StagingFence.fenced)
        #expect(try writer.tablePointer(StagingFence.pointer("b")) == StagingFence.live)
        #expect(try writer.storedOffsets([p, q]) == [p: 4, q: 1])
        #expect(try writer.totals()["total"] == 3)

        // The fenced writer's next commit is refused whole, although its offsets still match.
        #expect(throws: TablePointerConflict.self) {
            _ = try writer.commit(writerCommit([p: OffsetAdvance(expected: 4, next: 6)], files: [object("a3", "a")], keys: [key(3)],
                                               instance: "a", fence: StagingFence.live))
        }
        #expect(try writer.storedOffsets([p]) == [p: 4])
        #expect(try writer.seenKeys([key(3)], notBefore: 0).isEmpty)
        #expect(try writer.totals()["total"] == 3)
        #expect(try !writer.unpublishedFiles().contains { $0.file == object("a3", "a") })

        // Recovery publishes a's commit (marking twice is harmless); compaction then replaces published files.
        try recovery.markPublished(commitIDs: [id2])
        try recovery.markPublished(commitIDs: [id2])
        #expect(try recovery.unpublishedFiles().map(\.owner) == ["b"])
        let published = [object("a1", "a").finalPath, object("a2", "a").finalPath]
        #expect(try recovery.publishedFiles(hivePartition: "date=2025-10-30").map(\.finalPath) == published)
        let merged = StagedFile(stagingPath: "s3://b/lake/_weir/compaction/m.parquet.tmp", finalPath: "s3://b/lake/date=2025-10-30/m.parquet",
                                hivePartition: "date=2025-10-30", rows: 4, bytes: 150)
        let replaced = try recovery.replaceFiles(removing: published, adding: [merged], owner: "compactor")
        #expect(try recovery.unpublishedFiles().contains { $0.commitID == replaced && $0.file == merged && $0.owner == "compactor" })
        #expect(try recovery.publishedFiles(hivePartition: "date=2025-10-30").isEmpty)
        // A second compaction naming an input already replaced is refused whole: nothing removed, nothing added.
        let other = StagedFile(stagingPath: "s3://b/lake/_weir/compaction/n.parquet.tmp", finalPath: "s3://b/lake/date=2025-10-30/n.parquet",
                               hivePartition: "date=2025-10-30", rows: 4, bytes: 150)
        try recovery.markPublished(commitIDs: [replaced])
        #expect(throws: StoreError.self) {
            _ = try writer.replaceFiles(removing: [merged.finalPath, published[0]], adding: [other], owner: "compactor")
        }
        #expect(try writer.publishedFiles(hivePartition: "date=2025-10-30").map(\.finalPath) == [merged.finalPath])
        #expect(try !writer.unpublishedFiles().contains { $0.file == other })
    }

    /// A writer committing in a loop (live → live) while another instance fences it: every commit either landed
    /// before the fence or is refused whole; none lands after it.
    @Test(.timeLimit(.minutes(2)), arguments: StoreKind.allCases)
    func fencingRacesAWriterThatKeepsCommitting(kind: StoreKind) async throws {
        let fresh = try kind.fresh("s3fencerace")
        let (writer, recovery) = (fresh.store, try fresh.open())
        _ = try writer.commit(writerCommit([p: OffsetAdvance(expected: nil, next: 1)], instance: "w", fence: nil))
        let landed = LockedBox(1)
        let started = LockedBox(false), fenced = LockedBox(false), ended = LockedBox(false)
        // The writer runs on a thread of its own (it never awaits: on the cooperative pool it could starve this task,
        // which then never fences it), and gives up after 90 s without a fence instead of committing forever.
        let loop = Task { try await onThread { () -> Error? in
            defer { ended.value = true }
            var next: Int64 = 1
            var afterFence = 0
            let giveUp = ContinuousClock.now + .seconds(90)
            while true {
                if fenced.value { afterFence += 1 }
                if afterFence > 20 { return nil }  // the fence did not stop it
                if !fenced.value && ContinuousClock.now > giveUp { return NeverFenced() }
                do {
                    _ = try writer.commit(writerCommit([p: OffsetAdvance(expected: next, next: next + 1)], keys: [key(Int(next) + 100)],
                                                       instance: "w", fence: StagingFence.live))
                    next += 1
                    landed.value += 1
                    if next > 3 { started.value = true }
                } catch {
                    return error
                }
            }
        } }
        while !started.value && !ended.value { try await Task.sleep(for: .milliseconds(5)) }
        if !started.value {
            let early = try await loop.value
            Issue.record("the writer stopped before the fence: \(String(describing: early))")
            return
        }
        try await onThread { try StagingFence.fence("w", by: "r", store: recovery) }
        fenced.value = true
        let stopped = try await loop.value
        #expect(stopped is TablePointerConflict, "\(String(describing: stopped))")
        let count = Int64(landed.value)
        #expect(try recovery.storedOffsets([p]) == [p: count], "exactly the commits that returned landed")
        #expect(try recovery.totals()["total"] == count)
        #expect(try recovery.tablePointer(StagingFence.pointer("w")) == StagingFence.fenced)
    }
}

/// The fence race's writer committed for 90 s without this test getting to fence it.
private struct NeverFenced: Error {}
