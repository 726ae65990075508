/// The dedup keys of work that is not committed yet, which the store cannot answer for: the keys accepted since
/// the last flush (`pending`, in the order they were accepted) and the keys of work handed to the commit in
/// flight. A key in either is a duplicate for every record processed meanwhile.
///
/// The life of a key: `insertNotCommitting` (accepted) → `handOff` (its work goes to a commit; still a duplicate) →
/// `commitEnded` (durable in the store, which answers lookups from now on, or refused and read again) — or
/// `removeAll` when the uncommitted work is dropped. Pure, no I/O; `MicroBatchProcessor` owns one.
struct UncommittedKeys: Sendable {
    /// Keys accepted since the last hand-off, in the order they were accepted (the order the commit stores them).
    private(set) var pending: [DedupKey] = []
    private var pendingSet = DedupKeySet()
    /// Keys of the work handed to the commit in flight.
    private var committing = DedupKeySet()

    /// Whether the window holds `key`, pending or being committed.
    func contains(_ key: DedupKey) -> Bool {
        (!committing.isEmpty && committing.contains(key)) || pendingSet.contains(key)
    }

    /// Asks for the cache lines `contains(key)` will read, without waiting (a hint; see `DedupKeySet.prefetch`).
    @inline(__always)
    func prefetch(_ key: DedupKey) {
        committing.prefetch(key)
        pendingSet.prefetch(key)
    }

    /// Asks for the cache line `insertNotCommitting(key)` will read first (a hint, like `prefetch`).
    @inline(__always)
    func prefetchPending(_ key: DedupKey) {
        pendingSet.prefetch(key)
    }

    /// Adds an accepted record's key, known not to be among the keys being committed (`contains` answered no for it
    /// since the last `handOff` and `commitEnded`; `MicroBatchProcessor` checks a batch's keys before the batch is
    /// appended). Returns false, adding nothing, when the key is pending already (the record is a duplicate).
    mutating func insertNotCommitting(_ key: DedupKey) -> Bool {
        guard pendingSet.insert(key) else { return false }
        pending.append(key)
        return true
    }

    /// The pending keys go to a commit: returned in order, and held as being committed until `commitEnded()`.
    /// `reservingCapacity`: keys the next flush is expected to hold (saves rehashing while it fills).
    mutating func handOff(reservingCapacity capacity: Int = 0) -> [DedupKey] {
        let keys = pending
        if committing.isEmpty { committing = pendingSet } else { committing.formUnion(pendingSet) }
        dropPending(reservingCapacity: capacity)
        return keys
    }

    /// The commit in flight ended (durable, refused or abandoned): its keys are the store's business now.
    mutating func commitEnded() { committing.removeAll() }

    /// Forgets every key, pending and being committed (the uncommitted work is dropped and will be read again).
    mutating func removeAll(reservingCapacity capacity: Int = 0) {
        committing.removeAll()
        dropPending(reservingCapacity: capacity)
    }

    private mutating func dropPending(reservingCapacity capacity: Int) {
        pending = []
        pendingSet = capacity > 0 ? DedupKeySet(minimumCapacity: capacity) : DedupKeySet()
    }
}
