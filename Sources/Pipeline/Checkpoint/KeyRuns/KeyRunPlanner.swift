/// Time buckets of key runs: a run holds keys committed within one bucket, so expiry drops whole runs and a
/// key is remembered at least the TTL and at most the TTL plus one bucket width.
struct KeyBuckets: Sendable, Equatable {
    /// Bucket width, seconds (default one day).
    let width: Int64

    init(width: Int64 = 86_400) {
        precondition(width > 0, "bucket width must be positive")
        self.width = width
    }

    /// The bucket holding unix second `at`: [start, end).
    func bucket(at: Int64) -> (start: Int64, end: Int64) {
        let start = at >= 0 ? at / width * width : -((-at + width - 1) / width) * width
        return (start, start + width)
    }
}

/// Which runs to merge, decided from the manifest alone (no I/O).
///
/// Runs merge only within a bucket. A bucket that has ended (no commit writes to it any more) is merged into
/// one run. The open bucket is size-tiered: runs fall into tiers by key count (each tier `fanIn` times larger
/// than the one below, starting at `baseKeys`) and `fanIn` runs of one tier merge into one of the next, so a
/// bucket holds at most (fanIn − 1) runs per tier and each key is rewritten about once per tier.
struct KeyRunPlanner: Sendable {
    struct Run: Equatable, Sendable {
        let id: Int64
        let bucketStart: Int64
        let bucketEnd: Int64
        let keys: Int
        /// Claimed by a merge in progress (this or another process) until this unix second.
        let claimedUntil: Int64
    }

    var fanIn = 4
    var baseKeys = 65_536

    func tier(_ keys: Int) -> Int {
        var t = 0, size = baseKeys
        while keys >= size * fanIn { size *= fanIn; t += 1 }
        return t
    }

    /// Merges to run now, each a list of run ids (ascending), at most one per bucket.
    func plan(_ runs: [Run], now: Int64) -> [[Int64]] {
        var out: [[Int64]] = []
        let byBucket = Dictionary(grouping: runs.filter { $0.claimedUntil <= now }, by: { $0.bucketStart })
        for start in byBucket.keys.sorted() {
            let bucket = byBucket[start]!
            if bucket[0].bucketEnd <= now {
                if bucket.count > 1 { out.append(bucket.map(\.id).sorted()) }
                continue
            }
            let tiers = Dictionary(grouping: bucket, by: { tier($0.keys) })
            if let t = tiers.keys.sorted().first(where: { tiers[$0]!.count >= fanIn }) {
                let smallest = tiers[t]!.sorted { ($0.keys, $0.id) < ($1.keys, $1.id) }.prefix(fanIn)
                out.append(smallest.map(\.id).sorted())
            }
        }
        return out
    }
}
