/// Insert-or-lookup dictionary for 4- and 8-byte values (INT32/INT64/FLOAT/DOUBLE bit patterns).
/// Each slot stores the key next to its index, so a lookup touches one cache line; the PLAIN dictionary page
/// body (little-endian values of `width` bytes) is maintained incrementally in `plain`.
struct FixedDictionary {
    let width: Int
    private(set) var plain: [UInt8] = []
    private(set) var count = 0
    /// Interleaved pairs: [2i] = key, [2i+1] = entry index + 1 (0 = empty).
    private var slots: [UInt64]
    private var mask: Int

    init(width: Int) {
        self.width = width
        slots = [UInt64](repeating: 0, count: 2 * 1024)
        mask = 1023
    }

    var byteSize: Int { plain.count }

    @inline(__always)
    static func hash(_ k: UInt64) -> Int {
        // MurmurHash3 fmix64 finaliser: full avalanche, so linear probing sees no clustering.
        var h = k ^ (k >> 33)
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// Appends the entry index of every key in `keys` to `indices`, inserting new keys in order
    /// (one buffer growth for the whole batch instead of one append per value).
    mutating func insert(_ keys: UnsafeBufferPointer<UInt64>, appendingTo indices: inout [UInt32]) {
        let start = indices.count
        indices.append(contentsOf: repeatElement(0, count: keys.count))
        indices.withUnsafeMutableBufferPointer { out in
            for j in 0..<keys.count { out[start + j] = insert(keys[j]) }
        }
    }

    /// Returns the entry index of `key`, inserting it if new.
    @inline(__always)
    mutating func insert(_ key: UInt64) -> UInt32 {
        var slot = Self.hash(key) & mask
        let m = mask
        let hit: UInt32? = slots.withUnsafeBufferPointer { t in
            while true {
                let e = t[2 * slot + 1]
                if e == 0 { return nil }
                if t[2 * slot] == key { return UInt32(truncatingIfNeeded: e - 1) }
                slot = (slot + 1) & m
            }
        }
        if let hit { return hit }
        let idx = count
        slots[2 * slot] = key
        slots[2 * slot + 1] = UInt64(idx + 1)
        count += 1
        if width == 4 { PlainEncoding.append(UInt32(truncatingIfNeeded: key), to: &plain) } else { PlainEncoding.append(key, to: &plain) }
        if count * 2 > mask { grow() }
        return UInt32(idx)
    }

    private mutating func grow() {
        let newCap = (mask + 1) * 2
        let newMask = newCap - 1
        var newSlots = [UInt64](repeating: 0, count: 2 * newCap)
        for s in 0...mask where slots[2 * s + 1] != 0 {
            var slot = Self.hash(slots[2 * s]) & newMask
            while newSlots[2 * slot + 1] != 0 { slot = (slot + 1) & newMask }
            newSlots[2 * slot] = slots[2 * s]
            newSlots[2 * slot + 1] = slots[2 * s + 1]
        }
        slots = newSlots
        mask = newMask
    }
}
