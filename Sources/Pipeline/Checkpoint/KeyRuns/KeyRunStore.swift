import Foundation

/// The dedup keys of the checkpoint store, as time-bucketed immutable key runs (`KeyRunFormat`) listed in the
/// checkpoint database's `key_runs` table.
///
/// A commit sorts its new keys into one run file (written and fsynced before the transaction), and records the
/// run in the same SQLite transaction as its offsets and lake files: keys, files and offsets become durable
/// together, and a run file of a commit that failed or crashed has no row and is deleted. A lookup probes the
/// in-memory filter of every live run (one cache line per key and run) and reads a 4 KiB key block only when a
/// filter answers "maybe" (each key carries its commit time, so the TTL holds to the second), so the cost of looking up new keys barely grows with the keys stored. Runs merge
/// within their time bucket in the background (`KeyRunMergeWorker`), keeping their count bounded; expiry deletes
/// whole runs, at a cost independent of how many keys they hold.
///
/// Several processes may share the store: every change is a SQLite transaction, runs are immutable, and each
/// process refreshes its view of the manifest at each lookup. A key another writer committed after this
/// instance looked it up is caught in the commit transaction (`register` throws `DedupRace`): the commit's keys
/// are checked against the runs committed since the lookups they came from (`KeyLookupLedger`), or against every
/// live run when those lookups are unknown.
final class KeyRunStore: @unchecked Sendable {
    let directory: String
    let owner: String
    let buckets: KeyBuckets
    let planner: KeyRunPlanner
    let clock: @Sendable () -> Int64
    /// What each numbered `seen` call read: the generation (the manifest's largest run id) and TTL cut-off.
    private let ledger: Guarded<KeyLookupLedger>

    struct LiveRun {
        let record: KeyRunRecord
        let run: KeyRun
    }

    /// The runs a lookup used, and the manifest generation they reflect (every run with a smaller id is among
    /// them or was merged into one of them).
    struct Snapshot {
        let runs: [LiveRun]
        let generation: Int64
    }

    private let refreshLock = NSLock()
    private let viewLock = NSLock()
    private var view: [Int64: LiveRun] = [:]
    private var signature = KeyRunManifest.Signature(count: -1, maxID: -1)
    private var generation: Int64 = 0

    /// - Parameters:
    ///   - directory: where run files live (created if missing).
    ///   - owner: recorded with the runs this instance writes (diagnostics).
    ///   - clock: unix seconds now (decides which bucket has ended, merge claims).
    ///   - lookupCapacity: how many of the latest lookups' answers are remembered (default 100,000): a commit
    ///     naming one forgotten checks its keys against every live run.
    /// - Throws: `StoreError` when the directory cannot be created.
    init(directory: String, owner: String, buckets: KeyBuckets = KeyBuckets(), planner: KeyRunPlanner = KeyRunPlanner(),
         clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }, lookupCapacity: Int = 100_000) throws {
        ledger = Guarded(KeyLookupLedger(lookupCapacity: lookupCapacity))
        self.directory = directory
        self.owner = owner
        self.buckets = buckets
        self.planner = planner
        self.clock = clock
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(message: "cannot create the dedup key directory \(directory): \(error.localizedDescription)", isRetriable: false)
        }
    }

    func path(_ file: String) -> String { directory + "/" + file }

    func open(_ record: KeyRunRecord) throws -> KeyRun {
        let p = path(record.file)
        do {
            return try KeyRun(source: KeyRunFileSource(path: p))
        } catch let e as KeyRunFileError where e.isMissing {
            throw e  // `snapshot` reads the manifest again
        } catch let e as KeyRunFileError {
            throw StoreError(message: e.description, isRetriable: false)
        } catch {
            throw StoreError(message: "\(p): \(error)", isRetriable: false)
        }
    }

    /// The live runs as the manifest lists them now, opening runs new to this instance.
    func snapshot(_ db: SQLiteDatabase) throws -> Snapshot {
        refreshLock.lock()
        defer { refreshLock.unlock() }
        for _ in 0..<8 {
            let sig = try KeyRunManifest.signature(db)
            let known = viewLock.withLock { sig == signature ? Snapshot(runs: Array(view.values), generation: generation) : nil }
            if let known { return known }
            let records = try KeyRunManifest.all(db)
            let old = viewLock.withLock { view }
            var next: [Int64: LiveRun] = [:]
            var vanished = false
            for r in records {
                if let live = old[r.id] { next[r.id] = LiveRun(record: r, run: live.run); continue }
                do {
                    next[r.id] = LiveRun(record: r, run: try open(r))
                } catch let e as KeyRunFileError where e.isMissing {
                    vanished = true  // merged away or expired since the query: read the manifest again
                    break
                }
            }
            if vanished { continue }
            let maxID = records.last?.id ?? 0
            viewLock.withLock {
                view = next
                signature = KeyRunManifest.Signature(count: Int64(records.count), maxID: maxID)
                generation = maxID
            }
            return Snapshot(runs: Array(next.values), generation: maxID)
        }
        throw StoreError(message: "the dedup key runs in \(directory) keep changing under this reader", isRetriable: true)
    }

    /// How many `seen` calls have started: the next one gets this number (`CheckpointStore.lookupsStarted`).
    var lookupsStarted: Int64 { ledger.withLock { $0.started } }

    /// The subset of `keys` held by a run whose newest commit is not older than `notBefore`. Numbered as it starts
    /// (before the manifest is read); once answered, the ledger remembers the generation it read under that number.
    /// Safe to call concurrently.
    func seen(_ keys: [DedupKey], notBefore: Int64, db: SQLiteDatabase) throws -> Set<DedupKey> {
        let number = ledger.withLock { $0.startLookup() }
        let snap = try snapshot(db)
        let found = try Self.find(keys, in: snap.runs.filter { $0.record.maxAt >= notBefore }.map(\.run), notBefore: notBefore)
        ledger.withLock { $0.recordLookup(number, generation: snap.generation, notBefore: notBefore) }
        return found
    }

    /// The subset of `keys` held by any of `runs` with a commit time not before `notBefore`: filters first (keys in filter-block order, so large filters
    /// are read front to back), then one sorted pass over each run's candidate blocks.
    static func find(_ keys: [DedupKey], in runs: [KeyRun], notBefore: Int64) throws -> Set<DedupKey> {
        guard !keys.isEmpty, !runs.isEmpty else { return [] }
        // (probe, position) pairs sorted by h1 (HashBucketSort): contiguous, so sorting millions (a large commit's check)
        // does not chase indices around memory.
        var ordered = keys.indices.map { (probe: KeyProbe(keys[$0]), position: $0) }
        HashBucketSort.sort(&ordered, hash: { $0.probe.h1 }, by: { $0.probe.h1 < $1.probe.h1 })
        let probes = ordered.map(\.probe)
        var found = Set<DedupKey>()
        var candidates: [DedupKey] = []
        for run in runs {
            candidates.removeAll(keepingCapacity: true)
            run.filter.forEachMayContain(probes) { candidates.append(keys[ordered[$0].position]) }
            guard !candidates.isEmpty else { continue }
            candidates.sort()
            found.formUnion(try run.find(sortedCandidates: candidates, notBefore: notBefore))
        }
        return found
    }

    /// A run file written for a commit, not yet in the manifest.
    struct PreparedRun: Sendable {
        let file: String
        /// Ascending, distinct.
        let keys: [DedupKey]
        /// The commit time the keys are stamped with.
        let at: Int64
        let bytes: Int64
        let submitted: Int
    }

    /// Writes `keys`, committed at `at` (unix seconds), as a run file and fsyncs it and its directory; nil when
    /// there are no keys.
    func prepare(_ keys: [DedupKey], at: Int64) throws -> PreparedRun? {
        guard !keys.isEmpty else { return nil }
        var sorted = keys.sorted()
        var w = 1
        for i in 1..<sorted.count where sorted[i] != sorted[w - 1] {
            sorted[w] = sorted[i]
            w += 1
        }
        sorted.removeLast(sorted.count - w)
        let file = "run-\(UUID().uuidString.lowercased()).keys"
        do {
            let bytes = try KeyRunFiles.write(sorted, at: at, to: path(file))
            try KeyRunFiles.syncDirectory(directory)
            return PreparedRun(file: file, keys: sorted, at: at, bytes: Int64(bytes), submitted: keys.count)
        } catch {
            unlink(path(file))
            throw StoreError(message: "\(error)", isRetriable: false)
        }
    }

    /// Inside the commit transaction on `db`: checks the run's keys against the runs committed since the
    /// `lookups` (numbers from `lookupsStarted`) that found them absent, then lists the run in the manifest. When
    /// those lookups are unknown (an empty range, one not answered or forgotten, one made with a later cut-off
    /// than `notBefore`) the keys are checked against every live run.
    /// - Throws: `DedupRace` when another writer committed one of the keys meanwhile (live: its run's newest
    ///   commit is not older than `notBefore`).
    func register(_ prepared: PreparedRun, notBefore: Int64, lookups: Range<Int64>, db: SQLiteDatabase) throws {
        let committedAt = prepared.at
        let since = ledger.withLock { $0.absentSince(lookups: lookups, notBefore: notBefore) } ?? 0
        let snap = try snapshot(db)
        let newer = snap.runs.filter { $0.record.id > since && $0.record.maxAt >= notBefore }.map(\.run)
        let clashes = try Self.find(prepared.keys, in: newer, notBefore: notBefore)
        guard clashes.isEmpty else {
            throw DedupRace(expected: prepared.submitted, conflicting: clashes)
        }
        let bucket = buckets.bucket(at: committedAt)
        _ = try KeyRunManifest.insert(KeyRunRecord(
            file: prepared.file, bucketStart: bucket.start, bucketEnd: bucket.end, minAt: committedAt, maxAt: committedAt,
            keys: Int64(prepared.keys.count), bytes: prepared.bytes, owner: owner), db)
    }

    /// Deletes the file of a run whose commit did not go through.
    func discard(_ prepared: PreparedRun) {
        unlink(path(prepared.file))
    }

    /// Drops every run whose newest commit is older than `olderThan` (unix seconds): one transaction deleting
    /// their rows, then their files. Returns the number of keys they held.
    func expire(olderThan: Int64, db: SQLiteDatabase) throws -> Int64 {
        let doomed = try db.transaction {
            let rows = try KeyRunManifest.select(db, "SELECT \(KeyRunManifest.columns) FROM key_runs WHERE max_at < ?", [.int(olderThan)])
            _ = try KeyRunManifest.remove(rows.map(\.id), db)
            return rows
        }
        guard !doomed.isEmpty else { return 0 }
        for r in doomed { unlink(path(r.file)) }
        try? KeyRunFiles.syncDirectory(directory)
        return doomed.reduce(0) { $0 + $1.keys }
    }

    /// Key count (a key re-committed after expiring counts once per run holding it), run file bytes, and the
    /// oldest and newest commit times of the live runs.
    func stats(_ db: SQLiteDatabase) throws -> (keys: Int64, bytes: Int64, oldest: Int64?, newest: Int64?) {
        let runs = try KeyRunManifest.all(db)
        return (runs.reduce(0) { $0 + $1.keys }, runs.reduce(0) { $0 + $1.bytes }, runs.map(\.minAt).min(), runs.map(\.maxAt).max())
    }
}
