/// Front cache of a string dictionary for *small* Swift strings (≤ 15 UTF-8 bytes, stored inline in the
/// 16-byte `String` value): maps the string's raw 16 bytes to its dictionary index, so low-cardinality
/// string columns (e.g. an `accion` enum) skip UTF-8 access, byte hashing and `memcmp`.
///
/// A small string's representation holds its bytes (zero-padded), its count and flags, so equal bit
/// patterns mean equal contents. Only strings whose bits are verified to hold their own bytes are cached;
/// a miss (or an unrecognised layout) simply falls back to `ByteDictionary`, which stays the source of truth.
struct SmallStringCache {
    private var keys: [UInt64]   // 2 per slot
    private var values: [UInt32] // dictionary index + 1; 0 = empty
    private var count = 0
    private static let slotCount = 1024
    private static let maxEntries = 512

    init() {
        keys = [UInt64](repeating: 0, count: 2 * Self.slotCount)
        values = [UInt32](repeating: 0, count: Self.slotCount)
    }

    /// Whether this platform lays out small strings as expected (checked once at runtime).
    static let supported: Bool = {
        #if arch(x86_64) || arch(arm64)
        guard MemoryLayout<String>.size == 16 else { return false }
        let s = String("ab")
        guard let b = bits(s) else { return false }
        return b.0 == 0x6261 && b.1 & 0x0F00_0000_0000_0000 == 0x0200_0000_0000_0000
        #else
        return false
        #endif
    }()

    /// Raw bits of `s` if it is a small (inline) string.
    @inline(__always)
    static func bits(_ s: String) -> (UInt64, UInt64)? {
        #if arch(x86_64) || arch(arm64)
        let b = unsafeBitCast(s, to: (UInt64, UInt64).self)
        return b.1 & (1 << 61) != 0 ? b : nil
        #else
        return nil
        #endif
    }

    @inline(__always)
    private static func slot(_ b: (UInt64, UInt64)) -> Int {
        var h = (b.0 ^ (b.1 &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
        return Int(truncatingIfNeeded: h) & (slotCount - 1)
    }

    /// Dictionary index of `s` if cached.
    @inline(__always)
    func lookup(_ s: String) -> UInt32? {
        guard let b = Self.bits(s) else { return nil }
        var slot = Self.slot(b)
        return keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                while true {
                    let e = v[slot]
                    if e == 0 { return nil }
                    if k[2 * slot] == b.0 && k[2 * slot + 1] == b.1 { return e - 1 }
                    slot = (slot + 1) & (Self.slotCount - 1)
                }
            }
        }
    }

    /// Records `s` → `index` when `s` is small and its bits provably hold `utf8` (its UTF-8 bytes).
    mutating func record(_ s: String, utf8: UnsafeRawBufferPointer, index: UInt32) {
        guard count < Self.maxEntries, Self.supported, let b = Self.bits(s), utf8.count <= 15 else { return }
        // Verify the layout: bytes 0..<count hold the UTF-8, the rest of the payload is zero, count in byte 15.
        var raw = b
        let ok: Bool = withUnsafeBytes(of: &raw) { r in
            guard Int(r[15] & 0x0F) == utf8.count else { return false }
            for i in 0..<15 where r[i] != (i < utf8.count ? utf8[i] : 0) { return false }
            return true
        }
        guard ok else { return }
        var slot = Self.slot(b)
        while values[slot] != 0 {
            if keys[2 * slot] == b.0 && keys[2 * slot + 1] == b.1 { return }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
        keys[2 * slot] = b.0
        keys[2 * slot + 1] = b.1
        values[slot] = index + 1
        count += 1
    }
}
