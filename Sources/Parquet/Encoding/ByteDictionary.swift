#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Insert-or-lookup dictionary over byte strings, used to build a Parquet dictionary page
/// (parquet-format Encodings.md "Dictionary Encoding"). The PLAIN-encoded dictionary page body is
/// maintained incrementally in `plain`, so flushing it costs nothing.
/// Open addressing with linear probing; hashes are a 64-bit multiply-mix over 8-byte words.
struct ByteDictionary {
    /// `true`: entries are BYTE_ARRAY (4-byte length prefix in `plain`); `false`: fixed width.
    let lengthPrefixed: Bool
    private(set) var plain: [UInt8] = []
    /// Start of each entry's value bytes in `plain`, and its length.
    private(set) var offsets: [Int32] = []
    private(set) var lengths: [Int32] = []
    /// Open-addressing table: high 32 bits = hash tag, low 32 bits = entry index + 1 (0 = empty slot).
    private var slots: [UInt64]
    private var mask: Int

    init(lengthPrefixed: Bool) {
        self.lengthPrefixed = lengthPrefixed
        slots = [UInt64](repeating: 0, count: 1024)
        mask = 1023
    }

    var count: Int { offsets.count }
    /// Size in bytes of the PLAIN dictionary page body.
    var byteSize: Int { plain.count }

    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(p.count)
        var i = 0
        let n = p.count
        while i + 8 <= n {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            withUnsafeMutableBytes(of: &w) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: p[i..<n])) }
            h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
        }
        // MurmurHash3 fmix64 finaliser.
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    /// Returns the entry index for `p`, inserting it if new (`isNew` = true).
    @inline(__always)
    mutating func insert(_ p: UnsafeRawBufferPointer) -> (index: UInt32, isNew: Bool) {
        let h = Self.hash(p)
        let tag = h & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: h) & mask
        let found: UInt32? = slots.withUnsafeBufferPointer { table in
            plain.withUnsafeBytes { buf in
                while true {
                    let e = table[slot]
                    if e == 0 { return nil }
                    if e & 0xFFFF_FFFF_0000_0000 == tag {
                        let idx = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) - 1
                        if Int(lengths[idx]) == p.count
                            && (p.count == 0 || memcmpEqual(buf.baseAddress! + Int(offsets[idx]), p.baseAddress!, p.count)) {
                            return UInt32(idx)
                        }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
        if let found { return (found, false) }
        let idx = offsets.count
        slots[slot] = tag | UInt64(idx + 1)
        if lengthPrefixed { PlainEncoding.append(UInt32(p.count), to: &plain) }
        offsets.append(Int32(plain.count))
        lengths.append(Int32(p.count))
        PlainEncoding.appendBytes(p, to: &plain)
        if offsets.count * 2 > mask { grow() }
        return (UInt32(idx), true)
    }

    /// Calls `body` with the bytes of entry `index`.
    func withEntry<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        plain.withUnsafeBytes { buf in
            body(UnsafeRawBufferPointer(rebasing: buf[Int(offsets[index])..<Int(offsets[index]) + Int(lengths[index])]))
        }
    }

    private mutating func grow() {
        let newCap = (mask + 1) * 2
        var newSlots = [UInt64](repeating: 0, count: newCap)
        let newMask = newCap - 1
        plain.withUnsafeBytes { buf in
            for idx in 0..<offsets.count {
                let p = UnsafeRawBufferPointer(rebasing: buf[Int(offsets[idx])..<Int(offsets[idx]) + Int(lengths[idx])])
                let h = Self.hash(p)
                var slot = Int(truncatingIfNeeded: h) & newMask
                while newSlots[slot] != 0 { slot = (slot + 1) & newMask }
                newSlots[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(idx + 1)
            }
        }
        slots = newSlots
        mask = newMask
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i + 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}

/// Unsigned lexicographic comparison of two byte strings (< 0, 0, > 0).
func compareBytesUnsigned(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
        let c = memcmp(pa, pb, n)
        if c != 0 { return c < 0 ? -1 : 1 }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}
