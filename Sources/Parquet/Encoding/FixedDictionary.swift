/// Insert-or-lookup dictionary for 4- and 8-byte values (INT32/INT64/FLOAT/DOUBLE bit patterns, as 64-bit keys).
/// The PLAIN dictionary page body (little-endian values of `width` bytes) is maintained incrementally in `plain`.
///
/// Two layouts. While the keys seen so far (read as `Int64`) span a small range, a dense array maps
/// `key - denseBase` straight to the entry index: no hashing or probing, and 4 bytes per key of the range, so
/// e.g. 100k user ids in 1…100000 take 400 KB that stay in cache instead of a 4 MB hash table (integer ids
/// and codes are common dictionary columns). When a key would stretch the range past `denseLimit`, the
/// entries move to an open-addressing hash table whose slots store the key next to its index, so a lookup
/// touches one cache line. Either way indices are assigned in insertion order.
struct FixedDictionary {
    let width: Int
    private(set) var plain: [UInt8] = []
    private(set) var count = 0
    /// Dense layout: `dense[key - denseBase]` = entry index + 1 (0 = absent). Empty once hashed.
    private var dense: [UInt32] = []
    private var denseBase: Int64 = 0
    /// Smallest and largest key inserted (as `Int64`), to size the dense window.
    private var minKey = Int64.max, maxKey = Int64.min
    private var isDense = true
    /// Hash layout: interleaved pairs, [2i] = key, [2i+1] = entry index + 1 (0 = empty).
    private var slots: [UInt64] = []
    private var mask = 0

    /// Keys beyond ±2^61 always use the hash table (so window arithmetic cannot overflow).
    private static let denseKeyBound: Int64 = 1 << 61

    init(width: Int) {
        self.width = width
    }

    var byteSize: Int { plain.count }

    /// Largest dense window (entries) for the current count: 256 Ki entries (1 MiB) always, more only while
    /// it is at most 8 per distinct key (so it never costs more than the hash table would), at most 4 Mi.
    private var denseLimit: Int { min(1 << 22, max(1 << 18, 8 * count)) }

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
        if isDense {
            var offset = UInt64(bitPattern: Int64(bitPattern: key) &- denseBase)
            if offset >= UInt64(dense.count) {
                widenDense(toInclude: Int64(bitPattern: key))
                offset = UInt64(bitPattern: Int64(bitPattern: key) &- denseBase)
            }
            if isDense {
                let e = dense.withUnsafeBufferPointer { $0[Int(offset)] }
                if e != 0 { return e - 1 }
                dense[Int(offset)] = UInt32(count + 1)
                return appendEntry(key)
            }
        }
        return insertHashed(key)
    }

    @inline(__always)
    private mutating func appendEntry(_ key: UInt64) -> UInt32 {
        let k = Int64(bitPattern: key)
        if k < minKey { minKey = k }
        if k > maxKey { maxKey = k }
        if width == 4 { PlainEncoding.append(UInt32(truncatingIfNeeded: key), to: &plain) } else { PlainEncoding.append(key, to: &plain) }
        count += 1
        return UInt32(count - 1)
    }

    @inline(__always)
    private mutating func insertHashed(_ key: UInt64) -> UInt32 {
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
        slots[2 * slot] = key
        slots[2 * slot + 1] = UInt64(count + 1)
        let idx = appendEntry(key)
        if count * 2 > mask { rehash(capacity: (mask + 1) * 2) }
        return idx
    }

    /// Re-centres the dense window on all keys so far plus `key` (twice their span, for room to grow), or
    /// moves the entries to the hash table when that window would exceed `denseLimit`.
    private mutating func widenDense(toInclude key: Int64) {
        let lo = min(minKey, key), hi = max(maxKey, key)
        guard lo >= -Self.denseKeyBound, hi <= Self.denseKeyBound, Int(hi - lo) < denseLimit else {
            isDense = false
            rehash(capacity: max(1024, (count * 4).nextPowerOfTwo))
            dense = []
            return
        }
        let span = Int(hi - lo) + 1
        let size = min(denseLimit, max(1024, 2 * span))
        let base = lo - Int64((size - span) / 2)
        var wider = [UInt32](repeating: 0, count: size)
        dense.withUnsafeBufferPointer { old in
            wider.withUnsafeMutableBufferPointer { new in
                let shift = Int(denseBase - base)
                for i in 0..<old.count where old[i] != 0 { new[i + shift] = old[i] }
            }
        }
        dense = wider
        denseBase = base
    }

    /// Rebuilds the hash table with `capacity` slots (a power of two) from the current entries.
    private mutating func rehash(capacity: Int) {
        let newMask = capacity - 1
        var newSlots = [UInt64](repeating: 0, count: 2 * capacity)
        func put(_ key: UInt64, _ e: UInt64) {
            var slot = Self.hash(key) & newMask
            while newSlots[2 * slot + 1] != 0 { slot = (slot + 1) & newMask }
            newSlots[2 * slot] = key
            newSlots[2 * slot + 1] = e
        }
        if isDense || !dense.isEmpty {
            for (i, e) in dense.enumerated() where e != 0 { put(UInt64(bitPattern: denseBase + Int64(i)), UInt64(e)) }
        } else if !slots.isEmpty {
            for s in 0...mask where slots[2 * s + 1] != 0 { put(slots[2 * s], slots[2 * s + 1]) }
        }
        slots = newSlots
        mask = newMask
    }
}

private extension Int {
    /// Smallest power of two ≥ self (self ≥ 1).
    var nextPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
