import EventSchema

/// A 128-bit fingerprint of an event's deduplication key (FNV-1a, 128-bit variant).
///
/// The store keeps fingerprints rather than raw keys so every key costs 16 bytes. For non-adversarial keys the
/// chance of two distinct keys colliding is about n²/2¹²⁹: negligible for billions of events.
public struct DedupKey: Hashable, Sendable, Comparable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Fingerprints `bytes`.
    public init(hashing bytes: some Sequence<UInt8>) {
        var h = DedupKeyHasher()
        h.combine(bytes)
        self = h.finalize()
    }

    /// 16 big-endian bytes, the stored form.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i))
        }
        return out
    }

    /// Reads the stored form; nil unless exactly 16 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<8 {
            hi = hi << 8 | UInt64(bytes[i])
            lo = lo << 8 | UInt64(bytes[8 + i])
        }
        self.init(high: hi, low: lo)
    }

    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// Incremental FNV-1a over 128 bits (offset basis and prime from the FNV specification).
public struct DedupKeyHasher {
    private var state: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    private static let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013B

    public init() {}

    public mutating func combine(_ byte: UInt8) {
        state ^= UInt128(byte)
        state = state &* Self.prime
    }

    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for b in bytes { combine(b) }
    }

    public func finalize() -> DedupKey {
        DedupKey(high: UInt64(truncatingIfNeeded: state >> 64), low: UInt64(truncatingIfNeeded: state))
    }
}

extension DedupKeyHasher {
    /// Adds one key field's value: a string as `s` and its UTF-8 bytes, anything else as canonical JSON (sorted
    /// keys), then a 0x1F separator. Returns false, adding nothing, for a missing or null value (such an event has
    /// no key). The run loop and `weir checkpoint rebuild` both hash through here, so their keys agree.
    public mutating func combineField(_ value: JSONValue?) -> Bool {
        guard let value, value != .null else { return false }
        if case .string(let s) = value {
            combine(UInt8(ascii: "s"))
            combine(s.utf8)
        } else {
            combine(JSONWriter.write(value, sortedKeys: true))
        }
        combine(0x1F)
        return true
    }
}
