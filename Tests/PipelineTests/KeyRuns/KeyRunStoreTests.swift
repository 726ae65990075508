import Foundation
import Testing
@testable import Pipeline

/// A unix-seconds clock the test moves.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64
    init(_ now: Int64) { self.now = now }
    func set(_ t: Int64) { lock.withLock { now = t } }
    func read() -> Int64 { lock.withLock { now } }
}

/// One instance of the key run store over a manifest database in a temporary directory.
struct KeyRunFixture {
    let dir: String
    let db: SQLiteDatabase
    let store: KeyRunStore

    init(dir: String, clock: TestClock, owner: String = "a", planner: KeyRunPlanner = KeyRunPlanner(),
         lookupCapacity: Int = 100_000) throws {
        self.dir = dir
        db = try SQLiteDatabase(path: dir + "/checkpoint.sqlite")
        try KeyRunManifest.migrate(db)
        store = try KeyRunStore(directory: dir + "/keys", owner: owner, planner: planner, clock: { clock.read() },
                                lookupCapacity: lookupCapacity)
    }

    /// A commit of `keys` at `at`, as SQLiteCheckpointStore does it: file first, manifest row in the transaction.
    /// `lookups` names the lookups that found the keys absent (empty: unknown, the full check).
    func commit(_ keys: [DedupKey], at: Int64, notBefore: Int64 = .min, lookups: Range<Int64> = 0..<0) throws {
        guard let run = try store.prepare(keys, at: at) else { return }
        do {
            try db.transaction { try store.register(run, notBefore: notBefore, lookups: lookups, db: db) }
        } catch {
            store.discard(run)
            throw error
        }
    }

    func seen(_ keys: [DedupKey], notBefore: Int64 = .min) throws -> Set<DedupKey> {
        try store.seen(keys, notBefore: notBefore, db: db)
    }

    /// Looks `keys` up once: the keys found, and the lookup's number as the range a commit of the others names.
    func lookUp(_ keys: [DedupKey], notBefore: Int64 = .min) throws -> (found: Set<DedupKey>, lookups: Range<Int64>) {
        let from = store.lookupsStarted
        let found = try seen(keys, notBefore: notBefore)
        return (found, from..<store.lookupsStarted)
    }

    var runFiles: Set<String> { Set(((try? FileManager.default.contentsOfDirectory(atPath: dir + "/keys")) ?? []).filter { $0.hasSuffix(".keys") }) }
    func manifestFiles() throws -> Set<String> { Set(try KeyRunManifest.all(db).map(\.file)) }
}

@Suite struct KeyRunStoreTests {
    let day: Int64 = 86_400

    @Test func lookupsSeeCommittedKeysWithinTheTTLAndExpiryDropsWholeRuns() throws {
        let dir = Paths.tempDir("keyruns")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = try KeyRunFixture(dir: dir, clock: TestClock(10 * day))
        var source = KeySource(seed: 21)
        let a = source.keys(3_000), b = source.keys(700), absent = source.keys(5_000)
        try f.commit(a, at: 1_000)
        try f.commit(b, at: day + 5)
        #expect(try f.seen(a + b + absent) == Set(a + b))
        #expect(try f.seen(a + b + absent, notBefore: 1_001) == Set(b), "a run whose newest commit is older is expired")
        #expect(try f.store.expire(olderThan: 1_001, db: f.db) == 3_000)
        #expect(try f.store.expire(olderThan: 1_001, db: f.db) == 0)
        #expect(try f.seen(a + b) == Set(b))
        #expect(try f.runFiles == f.manifestFiles() && f.runFiles.count == 1, "the expired run's file is deleted")
        let stats = try f.store.stats(f.db)
        #expect(stats.keys == 700 && stats.oldest == day + 5 && stats.newest == day + 5)
    }

    /// A commit names the lookups its keys came from and is checked against the runs committed since (a larger id
    /// than the manifest's largest when the lookup read it): a key another writer committed after the lookup is a
    /// race; a key in an older run, which the named lookup never asked about, is not read at all.
    @Test func aKeyAnotherWriterCommittedAfterTheLookupIsARace() throws {
        let dir = Paths.tempDir("keyruns-race")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = TestClock(10 * day)
        let one = try KeyRunFixture(dir: dir, clock: clock, owner: "one")
        let two = try KeyRunFixture(dir: dir, clock: clock, owner: "two")
        var source = KeySource(seed: 5)
        let early = source.keys(100), mine = source.keys(50), contested = source.keys(3)
        // Looked up in a store with no runs yet (generation 0), then committed by the other writer first.
        let first = source.keys(2)
        let firstLookup = try one.lookUp(first)
        #expect(firstLookup.found.isEmpty && firstLookup.lookups.count == 1)
        try two.commit([first[0]], at: 900)
        #expect(throws: DedupRace.self) { try one.commit(first, at: 901, lookups: firstLookup.lookups) }
        try two.commit(early, at: 1_000)
        let lookup = try one.lookUp(early + mine + contested)
        #expect(lookup.found == Set(early), "one sees two's committed keys")
        try two.commit(contested, at: 2_000)
        let before = one.runFiles
        do {
            try one.commit(mine + contested, at: 2_001, lookups: lookup.lookups)
            Issue.record("expected a dedup race")
        } catch let race as DedupRace {
            #expect(race.expected == 53 && race.inserted == 50)
        }
        #expect(one.runFiles == before, "the refused commit's run file is deleted")
        #expect(try one.seen(mine).isEmpty)
        // early[1] is in a run older than the lookup: a commit naming it does not read that run (the processor
        // never commits a key its lookup found; planted here to show which runs are read).
        try one.commit(mine + [early[1]], at: 2_002, lookups: lookup.lookups)
        #expect(try two.seen(mine + contested) == Set(mine + contested))
        // A commit naming no lookup is checked against every live run; a key held only by an expired run is not a race.
        #expect(throws: DedupRace.self) { try two.commit([early[0]], at: 3_000) }
        try two.commit([early[0]], at: 3_000, notBefore: 1_001)
        #expect(try two.seen([early[0]], notBefore: 2_500) == [early[0]])
    }

    /// Lookups the store cannot vouch for bring back the check against every live run: none named, one not
    /// answered, one made with a later TTL cut-off than the commit's, one forgotten (past `lookupCapacity`).
    @Test func unknownLookupsMeanTheFullCheck() throws {
        let dir = Paths.tempDir("keyruns-unknown")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = try KeyRunFixture(dir: dir, clock: TestClock(10 * day), lookupCapacity: 2)
        var source = KeySource(seed: 32)
        let planted = source.keys(1), fresh = source.keys(10)
        try f.commit(planted, at: 1_000)
        let keys = fresh + planted  // the planted key is found only by a check that reads run 1
        let lookup = try f.lookUp(fresh, notBefore: 500).lookups
        #expect(throws: DedupRace.self, "none named") { try f.commit(keys, at: 2_000, notBefore: 500) }
        #expect(throws: DedupRace.self, "not answered") {
            try f.commit(keys, at: 2_000, notBefore: 500, lookups: lookup.lowerBound..<lookup.upperBound + 1)
        }
        #expect(throws: DedupRace.self, "a later cut-off: a key the lookup took for expired may be live") {
            try f.commit(keys, at: 2_000, notBefore: 400, lookups: lookup)
        }
        for _ in 0..<4 { _ = try f.lookUp(fresh, notBefore: 500) }
        #expect(throws: DedupRace.self, "forgotten") { try f.commit(keys, at: 2_000, notBefore: 500, lookups: lookup) }
        let remembered = try f.lookUp(fresh, notBefore: 500).lookups
        try f.commit(keys, at: 2_000, notBefore: 500, lookups: remembered)
    }

    @Test func mergesKeepEveryKeyBoundTheRunsAndCloseEndedBuckets() throws {
        let dir = Paths.tempDir("keyruns-merge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = TestClock(3 * day + 100)
        let f = try KeyRunFixture(dir: dir, clock: clock, planner: KeyRunPlanner(fanIn: 4, baseKeys: 10))
        let other = try KeyRunFixture(dir: dir, clock: clock, owner: "other")
        var source = KeySource(seed: 8)
        var all: [DedupKey] = []
        for i in 0..<16 {
            let keys = source.keys(10)
            all += keys
            try f.commit(keys, at: 3 * day + Int64(i))
        }
        #expect(try other.seen(all) == Set(all), "the other instance holds the 16 runs open")
        var written: Int64 = 0
        while case let n = try f.store.mergeOnce(f.db), n > 0 { written += n }
        #expect(written > 0)
        let runs = try KeyRunManifest.all(f.db)
        #expect(runs.count == 1 && runs[0].keys == 160 && runs[0].minAt == 3 * day && runs[0].maxAt == 3 * day + 15,
                "16 runs of tier 0 → 4 of tier 1 → 1 of tier 2: \(runs.map(\.keys))")
        #expect(try f.runFiles == f.manifestFiles(), "merged inputs' files are deleted")
        #expect(try other.seen(all) == Set(all), "the other instance reloads the merged run")
        #expect(try f.seen(all) == Set(all))
        #expect(try f.seen(all, notBefore: 3 * day + 8) == Set(all[80...]), "each key keeps its own commit time")
        // A new run in the ended bucket is merged with the rest once the bucket has ended.
        let late = source.keys(5)
        try f.commit(late, at: 3 * day + 500)
        #expect(try f.store.mergeOnce(f.db) == 0, "open bucket, one run per tier: nothing to merge")
        clock.set(4 * day)
        #expect(try f.store.mergeOnce(f.db) > 0)
        #expect(try KeyRunManifest.all(f.db).map(\.keys) == [165])
        #expect(try other.seen(all + late) == Set(all + late))
    }

    @Test func aMergeWhoseInputsChangedIsAbandonedAndClaimsExclude() throws {
        let dir = Paths.tempDir("keyruns-claim")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = TestClock(5 * day)
        let f = try KeyRunFixture(dir: dir, clock: clock)
        var source = KeySource(seed: 9)
        try f.commit(source.keys(20), at: 1_000)
        try f.commit(source.keys(20), at: 2_000)
        let ids = try KeyRunManifest.all(f.db).map(\.id)
        #expect(try KeyRunManifest.claim(ids, until: 5 * day + 600, now: 5 * day, f.db))
        #expect(try !KeyRunManifest.claim([ids[1]], until: 5 * day + 600, now: 5 * day, f.db), "already claimed")
        #expect(try f.store.mergeOnce(f.db) == 0, "claimed by another merge")
        clock.set(5 * day + 601)
        _ = try f.store.expire(olderThan: 1_500, db: f.db)
        #expect(try f.store.mergeOnce(f.db) == 0, "one run left in the bucket")
        #expect(try f.runFiles == f.manifestFiles())
    }

    @Test func runFilesWithoutAManifestRowAreInvisibleAndRemovedWhenOld() throws {
        let dir = Paths.tempDir("keyruns-orphans")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = TestClock(Int64(Date().timeIntervalSince1970))
        let f = try KeyRunFixture(dir: dir, clock: clock)
        var source = KeySource(seed: 10)
        let kept = source.keys(10), crashed = source.keys(10)
        try f.commit(kept, at: 1_000)
        let orphan = try #require(try f.store.prepare(crashed, at: 1_001))  // the process died before its transaction
        #expect(try f.seen(kept + crashed) == Set(kept))
        #expect(try f.store.removeOrphans(f.db) == 0, "young: it may belong to a commit in progress")
        clock.set(clock.read() + 3_602)
        #expect(try f.store.removeOrphans(f.db) == 1)
        #expect(try !f.runFiles.contains(orphan.file) && f.runFiles == f.manifestFiles())
    }

    @Test func aDamagedRunFileIsAnErrorNamingIt() throws {
        let dir = Paths.tempDir("keyruns-damaged")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = try KeyRunFixture(dir: dir, clock: TestClock(0))
        var source = KeySource(seed: 12)
        try f.commit(source.keys(10), at: 1_000)
        let file = try #require(f.runFiles.first)
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/keys/" + file))
        try handle.truncate(atOffset: 100)
        try handle.close()
        let other = try KeyRunFixture(dir: dir, clock: TestClock(0))
        do {
            _ = try other.seen(source.keys(1))
            Issue.record("expected an error")
        } catch let e as StoreError {
            #expect(e.message.contains(file))
        }
    }
}
