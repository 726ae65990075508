/// Damage for the decoder's randomized tests: one byte of JSON text changed, removed or inserted, the byte drawn from
/// those that matter to a JSON scanner (control characters, quotes, backslashes, brackets, separators, bytes that
/// cannot start or continue UTF-8, digits and letters of literals and escapes).
public enum ByteMutation {
    static let bytes: [UInt8] = [0x00, 0x1F, 0x22, 0x5C, 0x2C, 0x3A, 0x7B, 0x7D, 0x5B, 0x5D, 0x80, 0xC3, 0xFF, 0x20, 0x31, 0x65, 0x75]

    /// Changes, removes or inserts one byte of `doc` at a position drawn from `rng`.
    public static func apply<R: RandomNumberGenerator>(to doc: inout [UInt8], using rng: inout R) {
        let at = Int(rng.next() % UInt64(doc.count + 1))
        let byte = bytes[Int(rng.next() % UInt64(bytes.count))]
        switch rng.next() % 3 {
        case 0 where at < doc.count: doc[at] = byte
        case 1 where at < doc.count: doc.remove(at: at)
        default: doc.insert(byte, at: at)
        }
    }
}
