/// What one `PostgresCheckpointStore` knows about its own dedup lookups and commits, so that a commit can skip
/// re-reading the other days' key partitions when nobody else stored keys since it looked its keys up.
///
/// Every commit that stores keys moves the store's key generation (a counter in `store_meta`, moved under the
/// dedup advisory lock, so generations follow commit order), and every lookup reads the generation in the same
/// snapshot as the keys. A key found absent at generation G cannot have been stored by a commit up to G; only a
/// commit after G could have stored it since. When every commit after G is one of this store's own, and none of
/// them stored the key, the key is still absent from every partition but the commit's own day, which the insert's
/// primary key checks anyway. Anything unknown (a key never looked up or stored since, a foreign or unrecorded
/// generation, an older TTL cut-off) means the full check.
///
/// Pure bookkeeping: no I/O. Bounded: past `capacity` keys it forgets them all (commits then check fully).
struct KeyLookupLedger {
    enum Entry: Equatable {
        /// Found absent by a lookup at `generation` with TTL cut-off `notBefore` (unix seconds).
        case absent(generation: Int64, notBefore: Int64)
        /// Stored by this store's commit at `generation`.
        case stored(generation: Int64)
    }

    let capacity: Int
    /// How many of its latest commits' keys the ledger keeps as `stored`, so that a lookup that overlapped them
    /// (it started before they committed) does not mark their keys absent; a lookup that overlapped more records
    /// nothing.
    static let overlapDepth = 8
    private var entries: [DedupKey: Entry] = [:]
    private var recentCommits: [(generation: Int64, keys: [DedupKey])] = []
    /// Own commits by generation (the latest `ownCapacity`).
    private var own: Set<Int64> = []
    private let ownCapacity = 10_000
    /// How many commits were recorded so far: a lookup reads it before it starts.
    private(set) var commitsRecorded = 0

    init(capacity: Int = 4_000_000) {
        self.capacity = capacity
    }

    var count: Int { entries.count }

    /// Records that a lookup at `generation`, with cut-off `notBefore`, found none of `keys` live. `commitsBefore`
    /// is `commitsRecorded` read before the lookup started.
    mutating func recordLookup(absent keys: some Collection<DedupKey>, generation: Int64, notBefore: Int64, commitsBefore: Int) {
        guard commitsRecorded - commitsBefore <= Self.overlapDepth, keys.count <= capacity else { return }
        if entries.count + keys.count > capacity { forgetLookups() }
        for key in keys {
            if case .stored(let stored)? = entries[key], stored > generation { continue }
            entries[key] = .absent(generation: generation, notBefore: notBefore)
        }
    }

    /// The oldest generation at which the keys were found absent, for a commit with TTL cut-off `notBefore`: nil
    /// when a key was never looked up, was stored since, or was looked up with a later cut-off (a key expired
    /// then may be live now).
    func absentSince(_ keys: some Sequence<DedupKey>, notBefore: Int64) -> Int64? {
        var since: Int64?
        for key in keys {
            guard case .absent(let generation, let cutOff)? = entries[key], cutOff <= notBefore else { return nil }
            since = min(since ?? .max, generation)
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

    /// Drops every lookup, keeping the latest commits' keys as `stored`.
    private mutating func forgetLookups() {
        entries.removeAll()
        for commit in recentCommits {
            for key in commit.keys { entries[key] = .stored(generation: commit.generation) }
        }
    }

    /// Records this store's commit at `generation` of `keys`.
    mutating func recordCommit(keys: [DedupKey], generation: Int64) {
        commitsRecorded += 1
        if entries.count + keys.count > capacity { forgetLookups() }
        for key in keys { entries[key] = .stored(generation: generation) }
        recentCommits.append((generation, keys))
        if recentCommits.count > Self.overlapDepth {
            let oldest = recentCommits.removeFirst()
            for key in oldest.keys where entries[key] == .stored(generation: oldest.generation) { entries[key] = nil }
        }
        own.insert(generation)
        if own.count > 2 * ownCapacity {
            let keep = generation - Int64(ownCapacity)
            own = own.filter { $0 > keep }
        }
    }
}
