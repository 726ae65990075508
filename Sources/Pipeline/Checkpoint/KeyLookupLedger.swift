/// What one checkpoint store instance knows about its own dedup lookups (and, for PostgreSQL, its own commits), so
/// that a commit can check its keys only where another writer may have stored them since they were looked up.
///
/// Both stores have a key generation that every lookup reads in the same snapshot as the keys, and that any commit
/// storing keys after that snapshot exceeds: for `PostgresCheckpointStore` the counter in `store_meta` that every
/// commit storing keys moves (under the dedup advisory lock, so generations follow commit order); for the key-run
/// store (`KeyRunStore`, inside `SQLiteCheckpointStore`) the largest run id in the manifest the lookup read (0 when
/// it listed no run; ids are never reused, so every run with an id up to it was in that snapshot, and a run
/// written since, by a commit or a merge, has a larger one). A key found absent at generation G cannot have been
/// stored by a commit up to G; only a commit after G could have stored it since.
///
/// Lookups are numbered as they start; a commit names the numbers of the lookups that found its keys absent
/// (`CheckpointCommit.keyLookups`: the processor reads `CheckpointStore.lookupsStarted` when its work begins and
/// when it hands it off), and `absentSince` answers the oldest generation they read. The key-run store then checks
/// the commit's keys only against runs with a larger id. PostgreSQL also records its own commits' generations:
/// when every commit after that oldest generation is one of this store's own, the keys are still absent from
/// every partition but the commit's own day, which the insert's primary key checks anyway. (An own commit since
/// then cannot hold one of the keys: the processor holds a commit's keys as duplicates until that commit has
/// ended, and a lookup that starts after it sees them stored.) Anything unknown (no lookup named, a lookup not
/// answered or forgotten, a later TTL cut-off, and for PostgreSQL a foreign or unrecorded generation) means the
/// full check.
///
/// Pure bookkeeping: no I/O, no per-key state, not thread-safe (its stores keep it behind a lock). Bounded: it
/// remembers the latest `lookupCapacity` answers and `ownCapacity` own commits.
struct KeyLookupLedger {
    /// Lookups started so far; the next one gets this number.
    private(set) var started: Int64 = 0
    /// Answered lookups by number: the generation and TTL cut-off (unix seconds) they read.
    private var answered: [Int64: (generation: Int64, notBefore: Int64)] = [:]
    let lookupCapacity: Int
    /// Own commits by generation (the latest `ownCapacity`).
    private var own: Set<Int64> = []
    private let ownCapacity = 10_000

    /// - Parameter lookupCapacity: how many of the latest lookups' answers are kept (default 100,000; at least 1).
    ///   A commit naming more lookups than that, or one already forgotten, gets the full check.
    init(lookupCapacity: Int = 100_000) {
        self.lookupCapacity = max(1, lookupCapacity)
    }

    /// Numbers a lookup that starts now.
    mutating func startLookup() -> Int64 {
        defer { started += 1 }
        return started
    }

    /// Records that lookup `number`, with cut-off `notBefore`, read key generation `generation`.
    mutating func recordLookup(_ number: Int64, generation: Int64, notBefore: Int64) {
        answered[number] = (generation, notBefore)
        if answered.count > 2 * lookupCapacity {
            let keep = started - Int64(lookupCapacity)
            answered = answered.filter { $0.key >= keep }
        }
    }

    /// The oldest generation read by the lookups numbered `lookups`, for a commit with TTL cut-off `notBefore`:
    /// nil when the range is empty, when one of them is unanswered or forgotten, or when one was made with a later
    /// cut-off (a key expired then may be live now).
    func absentSince(lookups: Range<Int64>, notBefore: Int64) -> Int64? {
        guard !lookups.isEmpty, lookups.count <= lookupCapacity else { return nil }
        var since = Int64.max
        for number in lookups {
            guard let lookup = answered[number], lookup.notBefore <= notBefore else { return nil }
            since = min(since, lookup.generation)
        }
        return since
    }

    /// Whether every generation after `since`, up to and including `current`, is a commit of this store
    /// (PostgreSQL only).
    func onlyOwnCommits(after since: Int64, through current: Int64) -> Bool {
        guard current >= since, current - since <= Int64(own.count) else { return false }
        var generation = since + 1
        while generation <= current {
            guard own.contains(generation) else { return false }
            generation += 1
        }
        return true
    }

    /// Records this store's commit at `generation` (PostgreSQL only).
    mutating func recordCommit(generation: Int64) {
        own.insert(generation)
        if own.count > 2 * ownCapacity {
            let keep = generation - Int64(ownCapacity)
            own = own.filter { $0 > keep }
        }
    }
}
