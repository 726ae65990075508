import SeededRandom

/// How the generator numbers its events.
///
/// `random` (the default) gives each event `e` followed by 18 digits that look random: the `i`-th event's digits
/// are a seed-keyed permutation of `i` over 0…10¹⁸−1, so ids never repeat, the same seed gives the same ids, and
/// another seed gives ids unrelated to the first. That is what production ids (UUIDs, snowflakes, hashes) look
/// like to the dedup store: keys spread evenly over the key space. `sequential` gives `e0`, `e1`, … whatever the
/// seed (the generator's ids before issue 21), for benchmarks that compare both.
public enum EventIDStyle: String, Sendable, CaseIterable {
    case random
    case sequential

    /// The digits of the `index`-th event's id (without the `e` or `x` prefix), keyed by `key`.
    func digits(_ index: Int, key: UInt64) -> String {
        switch self {
        case .sequential: return String(index)
        case .random:
            let n = EventIDPermutation.permute(UInt64(index), key: key)
            let s = String(n)
            return String(repeating: "0", count: EventIDPermutation.digits - s.count) + s
        }
    }
}

/// A keyed bijection of 0…10¹⁸−1 (18 decimal digits): a 60-bit mixer (xor with the key, then xor-shifts and
/// multiplications by odd constants, each invertible modulo 2⁶⁰) applied again until the result falls below 10¹⁸
/// ("cycle walking", 1.15 rounds on average), which keeps it a bijection on the smaller range.
enum EventIDPermutation {
    static let digits = 18
    static let limit: UInt64 = 1_000_000_000_000_000_000
    static let mask: UInt64 = (1 << 60) - 1

    /// The key of a seed: any seed gives a 60-bit key, different seeds different keys (with overwhelming odds).
    static func key(seed: UInt64) -> UInt64 {
        var rng = SplitMix64(seed: seed ^ 0x5EED_1D5_0F_E7E7)
        return rng.next() & mask
    }

    /// `index` (below 10¹⁸) mapped to a distinct value below 10¹⁸.
    static func permute(_ index: UInt64, key: UInt64) -> UInt64 {
        precondition(index < limit, "event index \(index) has more than 18 digits")
        var x = index
        repeat { x = mix(x, key: key) } while x >= limit
        return x
    }

    static func mix(_ value: UInt64, key: UInt64) -> UInt64 {
        var x = (value ^ key) & mask
        x ^= x >> 31
        x = (x &* 0xBF58_476D_1CE4_E5B9) & mask
        x ^= x >> 29
        x = (x &* 0x94D0_49BB_1331_11EB) & mask
        x ^= x >> 32
        return x
    }
}
