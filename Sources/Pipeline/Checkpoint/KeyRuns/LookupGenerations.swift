import Foundation

/// For each key a lookup found new, the manifest generation (largest run id) the lookup saw and its TTL cut-off,
/// so that a commit checks its keys only against runs committed since: those are the only places another writer
/// can have put the same key meanwhile. A key with no entry (never looked up here, or forgotten), or looked up
/// with a later cut-off than the commit's (a key it took for expired may be live for the commit), gets
/// generation 0: it is checked against every live run, which is always correct, only slower.
///
/// Bounded: two open-addressing tables of `limit` keys each (32 bytes per slot at most half full); when the
/// current one is full it becomes the previous one and the old previous one is forgotten, so a key looked up but
/// never committed (a batch dropped at a rebalance) costs nothing after two rotations.
final class LookupGenerations: @unchecked Sendable {
    private let lock = NSLock()
    private var current: GenerationTable
    private var previous: GenerationTable
    let limit: Int

    init(limit: Int = 1 << 18) {
        self.limit = limit
        current = GenerationTable(limit: limit)
        previous = GenerationTable(limit: 0)
    }

    func record(_ keys: some Sequence<DedupKey>, generation: Int64, notBefore: Int64) {
        lock.lock()
        defer { lock.unlock() }
        for key in keys {
            if current.count >= limit {
                previous = current
                current = GenerationTable(limit: limit)
            }
            current.set(key, generation, notBefore)
        }
    }

    /// The oldest generation any of `keys` was looked up at, for a commit whose TTL cut-off is `notBefore`
    /// (0 when one of them is unknown or was looked up with a later cut-off).
    func take(_ keys: [DedupKey], notBefore: Int64) -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        var oldest = Int64.max
        for key in keys {
            guard let e = current.get(key) ?? previous.get(key), e.notBefore <= notBefore else { return 0 }
            oldest = min(oldest, e.generation)
        }
        return keys.isEmpty ? 0 : oldest
    }
}

/// Key → (generation, cut-off), linear probing over a power-of-two table kept at most half full; no deletion.
/// Each slot holds its key, generation and cut-off together (32 bytes, half a cache line), so a probe of a random
/// key touches one cache line, not one per field.
struct GenerationTable {
    private struct Slot {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var generation: Int64 = 0   // generation + 1; 0 marks an empty slot
        var cutoff: Int64 = 0
    }

    private var slots: [Slot]
    private let mask: Int
    private(set) var count = 0

    init(limit: Int) {
        var capacity = 8
        while capacity < limit * 2 { capacity *= 2 }
        mask = capacity - 1
        slots = [Slot](repeating: Slot(), count: capacity)
    }

    @inline(__always)
    private func slot(_ key: DedupKey) -> Int { Int(truncatingIfNeeded: KeyProbe.mix(key.high ^ key.low &* 0x9E37_79B9_7F4A_7C15)) & mask }

    mutating func set(_ key: DedupKey, _ g: Int64, _ notBefore: Int64) {
        let stored = g + 1
        var i = slot(key)
        let mask = self.mask
        let added = slots.withUnsafeMutableBufferPointer { slots -> Bool in
            while slots[i].generation != 0 {
                if slots[i].high == key.high && slots[i].low == key.low {
                    slots[i].generation = stored
                    slots[i].cutoff = notBefore
                    return false
                }
                i = (i + 1) & mask
            }
            slots[i] = Slot(high: key.high, low: key.low, generation: stored, cutoff: notBefore)
            return true
        }
        if added { count += 1 }
    }

    func get(_ key: DedupKey) -> (generation: Int64, notBefore: Int64)? {
        guard count > 0 else { return nil }
        var i = slot(key)
        return slots.withUnsafeBufferPointer { slots in
            while slots[i].generation != 0 {
                if slots[i].high == key.high && slots[i].low == key.low { return (slots[i].generation - 1, slots[i].cutoff) }
                i = (i + 1) & mask
            }
            return nil
        }
    }
}
