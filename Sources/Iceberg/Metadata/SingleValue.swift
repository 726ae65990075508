/// The table spec's single-value binary serialization (Appendix D), used for column bounds in manifests and for
/// partition bounds in manifest lists: little-endian 4-byte `int` and `date`, 8-byte `long` and `timestamptz`
/// (microseconds), IEEE 754 little-endian `double`, one byte `0x00`/`0x01` for `boolean`, UTF-8 bytes for
/// `string` (no length).
public enum SingleValue {
    public static func int(_ v: Int32) -> [UInt8] { littleEndian(UInt64(UInt32(bitPattern: v)), 4) }
    public static func long(_ v: Int64) -> [UInt8] { littleEndian(UInt64(bitPattern: v), 8) }
    public static func double(_ v: Double) -> [UInt8] { littleEndian(v.bitPattern, 8) }
    public static func boolean(_ v: Bool) -> [UInt8] { [v ? 1 : 0] }
    public static func string(_ v: String) -> [UInt8] { Array(v.utf8) }

    /// Reads back a `long` / `timestamptz` bound.
    public static func readLong(_ b: [UInt8]) -> Int64? {
        guard b.count == 8 else { return nil }
        return Int64(bitPattern: b.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
    }

    /// A string lower bound truncated to `length` Unicode code points (Iceberg's default `truncate(16)` metrics):
    /// a prefix is never greater than the value.
    public static func truncatedLowerBound(_ v: String, length: Int = 16) -> [UInt8] {
        string(String(String.UnicodeScalarView(v.unicodeScalars.prefix(length))))
    }

    /// A string upper bound truncated to `length` code points: the prefix with its last code point incremented,
    /// so it is greater than every value with that prefix; nil when no such bound exists (every code point at
    /// the maximum), in which case no upper bound is written.
    public static func truncatedUpperBound(_ v: String, length: Int = 16) -> [UInt8]? {
        let scalars = Array(v.unicodeScalars)
        guard scalars.count > length else { return string(v) }
        var prefix = Array(scalars.prefix(length))
        while let last = prefix.popLast() {
            var next = last.value + 1
            if next == 0xD800 { next = 0xE000 }  // skip the surrogate range
            if let scalar = Unicode.Scalar(next) {
                prefix.append(scalar)
                var s = String.UnicodeScalarView()
                s.append(contentsOf: prefix)
                return string(String(s))
            }
        }
        return nil
    }

    private static func littleEndian(_ v: UInt64, _ n: Int) -> [UInt8] {
        (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
    }
}
