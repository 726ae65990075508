/// What one `PostgresCheckpointStore` knows about its own dedup lookups and commits, so that a commit can skip
/// re-reading the other days' key partitions when nobody else stored keys since its keys were looked up.
///
/// Every commit that stores keys moves the store's key generation (a counter in `store_meta`, moved under the
/// dedup advisory lock, so generations follow commit order), and every lookup reads the generation in the same
/// snapshot as the keys. Lookups are numbered as they start; a commit names the numbers of the lookups that
/// found its keys absent (`CheckpointCommit.keyLookups`: the processor reads `started` when its work begins and
/// when it hands it off). A key found absent at generation G cannot have been stored by a commit up to G; only a
/// commit after G could have stored it since. When every commit after the oldest of those generations is one of
/// this store's own, the keys are still absent from every partition but the commit's own day, which the insert's
/// primary key checks anyway. (An own commit since then cannot hold one of the keys: the processor holds a
/// commit's keys as duplicates until that commit has ended, and a lookup that starts after it sees them stored.)
/// Anything unknown (a lookup not answered or forgotten, a foreign or unrecorded generation, a later TTL
/// cut-off) means the full check.
///
/// Pure bookkeeping: no I/O, no per-key state. Bounded: it remembers the latest `lookupCapacity` answers and
/// `ownCapacity` own commits.
struct KeyLookupLedger {
    /// Lookups started so far; the next one gets this number.
    private(set) var started: Int64 = 0
    /// Answered lookups by number: the generation and TTL cut-off (unix seconds) they read.
    private var answered: [Int64: (generation: Int64, notBefore: Int64)] = [:]
    let lookupCapacity: Int
    /// Own commits by generation (the latest `ownCapacity`).
    private var own: Set<Int64> = []
    private let ownCapacity = 10_000

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

    /// Whether every generation after `since`, up to and including `current`, is a commit of this store.
    func onlyOwnCommits(after since: Int64, through current: Int64) -> Bool {
        guard current >= since, current - since <= Int64(own.count) else { return false }
        var generation = since + 1
        while generation <= current {
            guard own.contains(generation) else { return false }
            generation += 1
        }
        return true
    }

    /// Records this store's commit at `generation`.
    mutating func recordCommit(generation: Int64) {
        own.insert(generation)
        if own.count > 2 * ownCapacity {
            let keep = generation - Int64(ownCapacity)
            own = own.filter { $0 > keep }
        }
    }
}
