import CPrefetch

/// A set of dedup keys in one open-addressing table, for the membership checks the uncommitted window
/// (`UncommittedKeys`) makes several times for every accepted record.
///
/// Linear probing over slots that hold the keys themselves (16 bytes each, four to a cache line): a check of a key
/// not in the set usually reads one cache line, where `Set<DedupKey>` reads two (its occupancy bitmap, then the
/// element) and hashes with SipHash. With `lake.flush_rows` keys per window the tables are megabytes, so those reads
/// are cache misses (profile of `weir run`, 2026-12-07: ~8% of the CPU per event went to the window's `Set`s).
///
/// A key picks its first slot by its 128 bits mixed with a per-process random seed: keys come from event fields a
/// producer controls, and a fixed mapping could be flooded with keys that collide. The all-zero key marks an empty
/// slot, so that key is tracked apart (`containsZero`). The table doubles when it would pass 70% full and shrinks
/// only with `removeAll`. Pure, no I/O.
struct DedupKeySet: Sendable {
    /// A power of two of slots, or none before the first insert.
    private var slots: [DedupKey] = []
    /// Keys in `slots` (the zero key is not among them).
    private var stored = 0
    private var containsZero = false

    private static let seed = UInt64.random(in: .min ... .max)
    private static let maxLoadPercent = 70

    init() {}

    /// An empty set with room for `capacity` keys before it grows.
    init(minimumCapacity capacity: Int) {
        reserveCapacity(capacity)
    }

    /// The number of keys.
    var count: Int { stored + (containsZero ? 1 : 0) }
    var isEmpty: Bool { count == 0 }

    /// Makes room for `capacity` keys in all before the table grows again.
    mutating func reserveCapacity(_ capacity: Int) {
        let needed = Self.slotCount(for: capacity)
        if needed > slots.count { rehash(slotCount: needed) }
    }

    @inline(__always)
    func contains(_ key: DedupKey) -> Bool {
        if Self.isZero(key) { return containsZero }
        guard stored > 0 else { return false }
        return slots.withUnsafeBufferPointer { s in
            let mask = s.count - 1
            var i = Self.firstSlot(key, mask: mask)
            while true {
                let k = s[i]
                if k == key { return true }
                if Self.isZero(k) { return false }
                i = (i + 1) & mask
            }
        }
    }

    /// Asks the CPU for the cache line of `key`'s first slot without waiting for it, so that a check of the key a
    /// few keys later finds it in cache (a hint: no effect on results).
    @inline(__always)
    func prefetch(_ key: DedupKey) {
        guard stored > 0 else { return }
        slots.withUnsafeBufferPointer { s in weir_prefetch_for_read(s.baseAddress! + Self.firstSlot(key, mask: s.count - 1)) }
    }

    /// Adds `key`. Returns false, changing nothing, when the set already holds it.
    @inline(__always)
    @discardableResult
    mutating func insert(_ key: DedupKey) -> Bool {
        if Self.isZero(key) {
            defer { containsZero = true }
            return !containsZero
        }
        if (stored + 1) * 100 > slots.count * Self.maxLoadPercent { rehash(slotCount: max(16, slots.count * 2)) }
        let added = slots.withUnsafeMutableBufferPointer { s in
            let mask = s.count - 1
            var i = Self.firstSlot(key, mask: mask)
            while true {
                let k = s[i]
                if k == key { return false }
                if Self.isZero(k) {
                    s[i] = key
                    return true
                }
                i = (i + 1) & mask
            }
        }
        if added { stored += 1 }
        return added
    }

    /// Adds every key of `other`.
    mutating func formUnion(_ other: DedupKeySet) {
        reserveCapacity(count + other.count)
        if other.containsZero { containsZero = true }
        for k in other.slots where !Self.isZero(k) { insert(k) }
    }

    /// Forgets every key and frees the table.
    mutating func removeAll() {
        slots = []
        stored = 0
        containsZero = false
    }

    /// The slots needed for `capacity` keys within the load limit: a power of two, at least 16.
    private static func slotCount(for capacity: Int) -> Int {
        let minimum = (max(0, capacity) * 100 + maxLoadPercent - 1) / maxLoadPercent
        var n = 16
        while n < minimum { n <<= 1 }
        return n
    }

    private mutating func rehash(slotCount: Int) {
        let old = slots
        slots = [DedupKey](repeating: Self.zero, count: slotCount)
        stored = 0
        for k in old where !Self.isZero(k) { insert(k) }
    }

    private static let zero = DedupKey(high: 0, low: 0)

    @inline(__always)
    private static func isZero(_ key: DedupKey) -> Bool { key.high | key.low == 0 }

    /// The key's first slot: both halves mixed with the seed (multiply and xor-shift rounds, so that every bit of
    /// the key moves the low bits the mask keeps).
    @inline(__always)
    private static func firstSlot(_ key: DedupKey, mask: Int) -> Int {
        var h = (key.low ^ seed) &* 0x9E37_79B9_7F4A_7C15
        h ^= key.high
        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }
}
