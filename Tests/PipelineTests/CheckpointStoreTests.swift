import Foundation
import Testing
@testable import Pipeline

func key(_ n: Int) -> DedupKey { DedupKey(hashing: Array("key-\(n)".utf8)) }

func staged(_ name: String, partition: String = "date=2025-10-30", rows: Int64 = 1) -> StagedFile {
    StagedFile(stagingPath: "/staging/\(name).tmp", finalPath: "/lake/\(partition)/\(name)", hivePartition: partition,
               rows: rows, bytes: 100)
}

/// A commit of the store tests (shared by `CheckpointStoreTests`, the PostgreSQL store tests and the contract tests
/// run on every store). `at` and `notBefore` are unix seconds (keys stored before `notBefore` count as expired).
func commit(_ offsets: [SourcePartition: OffsetAdvance] = [:], keys: [DedupKey] = [], files: [StagedFile] = [],
            totals: [String: Int64] = [:], at: Int64 = 1_000, notBefore: Int64 = 0, owner: String = "a") -> CheckpointCommit {
    var c = CheckpointCommit()
    c.offsets = offsets
    c.dedupKeys = keys
    c.files = files
    c.totals = totals
    c.committedAt = at
    c.dedupNotBefore = notBefore
    c.owner = owner
    return c
}

/// A dedup key as PostgreSQL's `uuid` text, for SQL written by hand in the PostgreSQL store tests.
func uuid(_ key: DedupKey) -> String { PGArrayLiteral.uuidHex(high: key.high, low: key.low) }

@Suite struct CheckpointStoreTests {
    let p = SourcePartition(topic: "t", partition: 0)

    func newStore() throws -> (SQLiteCheckpointStore, String) {
        let dir = Paths.tempDir("store")
        return (try SQLiteCheckpointStore(path: dir + "/checkpoint.sqlite", keyBucketSeconds: 1_000), dir + "/checkpoint.sqlite")
    }

    @Test func staleExpectedOffsetIsRefusedAndNothingApplied() throws {
        let (s, _) = try newStore()
        #expect(try s.storedOffsets([p]).isEmpty)
        _ = try s.commit(commit([p: OffsetAdvance(expected: nil, next: 10)], keys: [key(1), key(2)], files: [staged("f1")],
                                totals: ["total": 2, "valid": 2]))
        #expect(try s.storedOffsets([p]) == [p: 10])
        #expect(throws: OffsetConflict.self) {
            _ = try s.commit(commit([p: OffsetAdvance(expected: nil, next: 20)], keys: [key(3)], files: [staged("f2")],
                                    totals: ["total": 5]))
        }
        do {
            _ = try s.commit(commit([p: OffsetAdvance(expected: 7, next: 20)]))
            Issue.record("expected a conflict")
        } catch let e as OffsetConflict {
            #expect(e.expected == 7 && e.found == 10 && e.partition == 0 && e.topic == "t")
        }
        #expect(try s.storedOffsets([p]) == [p: 10])
        #expect(try s.seenKeys([key(3)], notBefore: 0).isEmpty, "refused commit's key absent")
        #expect(try s.seenKeys([key(1), key(2), key(3)], notBefore: 0) == [key(1), key(2)])
        #expect(try s.unpublishedFiles().map(\.file.finalPath) == [staged("f1").finalPath], "refused commit's file absent")
        #expect(try s.totals() == ["total": 2, "valid": 2])
    }

    @Test func dedupRaceRefusesTheWholeCommit() throws {
        let (s, _) = try newStore()
        _ = try s.commit(commit([p: OffsetAdvance(expected: nil, next: 10)], keys: [key(1)]))
        #expect(throws: DedupRace.self) {
            _ = try s.commit(commit([p: OffsetAdvance(expected: 10, next: 15)], keys: [key(4), key(1)], files: [staged("f4")],
                                    totals: ["total": 5]))
        }
        #expect(try s.storedOffsets([p]) == [p: 10])
        #expect(try s.seenKeys([key(4)], notBefore: 0).isEmpty)
        #expect(try s.unpublishedFiles().isEmpty)
        #expect(try s.totals().isEmpty)
        // The retried batch without the duplicate goes through.
        _ = try s.commit(commit([p: OffsetAdvance(expected: 10, next: 15)], keys: [key(4)]))
        #expect(try s.storedOffsets([p]) == [p: 15])
    }

    @Test func ttlAndPrune() throws {
        let (s, _) = try newStore()
        _ = try s.commit(commit([:], keys: [key(1), key(2)], at: 1_000))
        _ = try s.commit(commit([:], keys: [key(3)], at: 2_000))
        #expect(try s.seenKeys([key(1), key(3)], notBefore: 1_000) == [key(1), key(3)])
        #expect(try s.seenKeys([key(1), key(3)], notBefore: 1_001) == [key(3)], "expired keys are not seen")
        #expect(try s.seenKeys([key(1), key(3)], notBefore: 2_001).isEmpty)
        // Many keys: more than one 500-key lookup chunk.
        let many = (100..<1_300).map(key)
        _ = try s.commit(commit([:], keys: many, at: 3_000))
        #expect(try s.seenKeys(many + [key(99)], notBefore: 0) == Set(many))
        // Key runs expire whole: both runs older than the cut-off (3 keys) go in one call, whatever the limit.
        // (Buckets of 1,000 s: each commit has its own, so no background merge joins the runs.)
        #expect(try s.pruneKeys(olderThan: 2_001, limit: 1) == 3)
        #expect(try s.pruneKeys(olderThan: 2_001, limit: 10) == 0)
        #expect(try s.seenKeys([key(1), key(2), key(3)], notBefore: 0).isEmpty)
        #expect(try s.stats().keyCount == Int64(many.count))
        // A pruned key can be committed again.
        _ = try s.commit(commit([:], keys: [key(1)], at: 4_000))
    }

    @Test func totalsAccumulateAndFilesArePublished() throws {
        let (s, _) = try newStore()
        let id1 = try s.commit(commit([p: OffsetAdvance(expected: nil, next: 3)], files: [staged("a"), staged("b")],
                                      totals: ["total": 3, "valid": 2, "dlq_schema": 1]))
        let id2 = try s.commit(commit([p: OffsetAdvance(expected: 3, next: 5)], files: [staged("c", partition: "date=2025-10-31")],
                                      totals: ["total": 2, "valid": 1, "duplicates": 1, "invalid": 0]))
        #expect(id2 > id1)
        #expect(try s.totals() == ["total": 5, "valid": 3, "dlq_schema": 1, "duplicates": 1])
        #expect(Set(try s.unpublishedFiles().map(\.commitID)) == [id1, id2])
        #expect(try s.unpublishedFiles().first { $0.file.finalPath == staged("c", partition: "date=2025-10-31").finalPath }?.commitID == id2)
        try s.markPublished(commitIDs: [id1])
        #expect(try s.unpublishedFiles().map(\.file.finalPath) == [staged("c", partition: "date=2025-10-31").finalPath])
        #expect(try s.publishedFiles(hivePartition: "date=2025-10-30").map(\.finalPath) == [staged("a").finalPath, staged("b").finalPath])
        try s.markPublished(commitIDs: [id2])
        #expect(try s.unpublishedFiles().isEmpty)
    }

    @Test func twoConnectionsOnOneFileFenceEachOther() throws {
        let (s1, path) = try newStore()
        let s2 = try SQLiteCheckpointStore(path: path)
        #expect(try s1.storedOffsets([p]).isEmpty && s2.storedOffsets([p]).isEmpty)
        _ = try s2.commit(commit([p: OffsetAdvance(expected: nil, next: 5)], keys: [key(1)], owner: "s2"))
        #expect(throws: OffsetConflict.self) {
            _ = try s1.commit(commit([p: OffsetAdvance(expected: nil, next: 7)], keys: [key(2)], owner: "s1"))
        }
        #expect(try s1.storedOffsets([p]) == [p: 5], "s1 sees s2's commit")
        #expect(try s1.seenKeys([key(1), key(2)], notBefore: 0) == [key(1)])
        _ = try s1.commit(commit([p: OffsetAdvance(expected: 5, next: 9)], keys: [key(2)], owner: "s1"))
        #expect(throws: OffsetConflict.self) {
            _ = try s2.commit(commit([p: OffsetAdvance(expected: 5, next: 11)], owner: "s2"))
        }
        #expect(throws: DedupRace.self) {
            _ = try s2.commit(commit([p: OffsetAdvance(expected: 9, next: 11)], keys: [key(2)], owner: "s2"))
        }
        #expect(try s2.storedOffsets([p]) == [p: 9])
        // Concurrent commits from two threads on distinct partitions all land.
        let parts = (1...2).map { SourcePartition(topic: "t", partition: Int32($0)) }
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let s = i == 0 ? s1 : s2
            var expected: Int64? = nil
            for n in 0..<20 {
                _ = try! s.commit(commit([parts[i]: OffsetAdvance(expected: expected, next: Int64(n + 1))],
                                         keys: [key(10_000 + i * 100 + n)], totals: ["total": 1]))
                expected = Int64(n + 1)
            }
        }
        #expect(try s1.storedOffsets(parts) == [parts[0]: 20, parts[1]: 20])
        #expect(try s2.totals()["total"] == 40)
    }

    /// A key that expired (older than the commit's TTL cut-off) but is not yet pruned is re-stamped by a new commit;
    /// a live key is still a DedupRace.
    /// The store numbers its key lookups and a commit that names them reads only the key runs committed since:
    /// another instance's key from before the lookup, which the lookup never asked about, goes unread; the same
    /// commit without its lookups named finds it.
    @Test func aCommitNamingItsLookupsReadsOnlyTheKeyRunsCommittedSince() throws {
        let (s, path) = try newStore()
        let other = try SQLiteCheckpointStore(path: path, keyBucketSeconds: 1_000)
        _ = try other.commit(commit([:], keys: [key(1)], at: 1_000))
        let from = s.lookupsStarted
        #expect(try s.seenKeys([key(2)], notBefore: 0).isEmpty)
        var named = commit([:], keys: [key(2), key(1)], at: 1_100)
        named.keyLookups = from..<s.lookupsStarted
        #expect(named.keyLookups.count == 1)
        var unnamed = named
        unnamed.keyLookups = 0..<0
        #expect(throws: DedupRace.self) { _ = try s.commit(unnamed) }
        _ = try s.commit(named)
    }

    @Test func expiredKeysAreRestampedNotRaced() throws {
        let (s, _) = try newStore()
        _ = try s.commit(commit([:], keys: [key(1), key(2)], at: 1_000))
        var c = commit([:], keys: [key(1)], at: 5_000)
        c.dedupNotBefore = 1_001
        _ = try s.commit(c)
        #expect(try s.seenKeys([key(1), key(2)], notBefore: 1_001) == [key(1)], "key 1 re-stamped at 5000")
        var live = commit([:], keys: [key(2), key(3)], at: 5_000)
        live.dedupNotBefore = 1_000
        #expect(throws: DedupRace.self) { _ = try s.commit(live) }
        #expect(try s.seenKeys([key(3)], notBefore: 0).isEmpty)
        #expect(throws: DedupRace.self) { _ = try s.commit(commit([:], keys: [key(2)], at: 9_000)) }
    }

    /// Issue 15, `/readyz`: the store does not answer while another connection holds its write lock (an exclusive
    /// transaction), also while this process's own write waits behind that lock; it answers again once the lock
    /// is released, and a write that merely waited briefly does not count against it.
    @Test func answersIsFalseWhileAnotherConnectionHoldsTheWriteLock() async throws {
        let dir = Paths.tempDir("store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/checkpoint.sqlite"
        // The store's own write must wait behind the lock for as long as this test holds it, however slowly a busy
        // machine runs the test: its busy timeout is a safety net here, not the 30 s default.
        let store = try SQLiteCheckpointStore(path: path, keyBucketSeconds: 1_000, busyTimeoutMs: 600_000)
        #expect(store.answers(timeoutMs: 200))
        let other = try SQLiteDatabase(path: path, busyTimeoutMs: 1_000)
        try other.execute("BEGIN EXCLUSIVE")
        #expect(!store.answers(timeoutMs: 200), "answers with the write lock held elsewhere")
        // This process's own write now waits for the lock, on a thread of its own: blocked in SQLite's busy
        // handler, it must not hold one of the few threads of the cooperative pool.
        let writing = Self.onThread { try store.recordDeadLetterMarks([DeadLetterMark(dlqTopic: "d", dlqPartition: 0, scanFrom: 1)], for: SourcePartition(topic: "t", partition: 0)) }
        // Wait for the condition (the write waits behind the lock for longer than the probe's timeout), not a duration.
        let safetyNet = ContinuousClock.now + .seconds(300)
        while (store.db.busy.waiting ?? .zero) < .milliseconds(200) && ContinuousClock.now < safetyNet {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect((store.db.busy.waiting ?? .zero) >= .milliseconds(200), "the write never waited behind the lock")
        var waitedAnswers: [Bool] = []
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(300))
            waitedAnswers.append(store.answers(timeoutMs: 200))
        }
        #expect(waitedAnswers == [false, false, false], "answers while its own write waits behind the lock: \(waitedAnswers)")
        try other.execute("ROLLBACK")
        try await writing.value
        #expect(store.answers(timeoutMs: 200), "does not answer after the lock was released")
    }

    /// Runs `body` on a new thread (not the cooperative pool); the task ends with its result.
    static func onThread(_ body: @escaping @Sendable () throws -> Void) -> Task<Void, Error> {
        Task {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
                Thread.detachNewThread { done.resume(with: Result { try body() }) }
            }
        }
    }

    /// A store whose keys are in the `dedup_keys` table (written by an older Weir) keeps finding them after the
    /// upgrade to key runs, prunes them by the limit, and writes new keys to runs only.
    @Test func keysOfTheOldTableAreStillSeenUntilPruned() throws {
        let (old, path) = try newStore()
        _ = old
        let table = try SQLiteCheckpointStore(path: path, storage: .table)
        _ = try table.commit(commit([:], keys: [key(1), key(2)], at: 1_000))
        _ = try table.commit(commit([:], keys: [key(3)], at: 2_000))
        let s = try SQLiteCheckpointStore(path: path)
        #expect(try s.seenKeys([key(1), key(3), key(4)], notBefore: 0) == [key(1), key(3)])
        #expect(try s.seenKeys([key(1), key(3)], notBefore: 1_001) == [key(3)])
        _ = try s.commit(commit([:], keys: [key(4)], at: 3_000))
        #expect(try s.seenKeys([key(1), key(3), key(4)], notBefore: 0) == [key(1), key(3), key(4)])
        #expect(try table.seenKeys([key(4)], notBefore: 0).isEmpty, "new keys are not written to the table")
        let stats = try s.stats()
        #expect(stats.keyCount == 4 && stats.oldestKeyAt == 1_000 && stats.newestKeyAt == 3_000)
        #expect(try s.pruneKeys(olderThan: 2_500, limit: 2) == 2)
        #expect(try s.pruneKeys(olderThan: 2_500, limit: 2) == 1)
        #expect(try s.seenKeys([key(1), key(2), key(3), key(4)], notBefore: 0) == [key(4)])
        #expect(try s.stats().keyCount == 1)
    }
}
