/// Serializes ``JSONValue`` to RFC 8259 JSON bytes.
///
/// Output is compact (no insignificant whitespace, like Python's `separators=(",", ":")`),
/// non-ASCII text is written as raw UTF-8, and `"`, `\` and control characters are escaped.
/// Integers are written as integers; doubles always carry a `.` or an exponent
/// (`12.0`, `1e+16`), so Python reads them back as `float`.
///
/// `sortedKeys: true` gives the canonical form used for content-hash dedup keys: object
/// members sorted by key (by Unicode scalar values, as Python's `sort_keys=True`).
public enum JSONWriter {
    /// Writes `value` as UTF-8 JSON bytes.
    public static func write(_ value: JSONValue, sortedKeys: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        append(value, to: &out, sortedKeys: sortedKeys)
        return out
    }

    /// Writes `value` as a JSON `String`.
    public static func string(_ value: JSONValue, sortedKeys: Bool = false) -> String {
        String(decoding: write(value, sortedKeys: sortedKeys), as: UTF8.self)
    }

    /// Appends the JSON form of `value` to `out`.
    public static func append(_ value: JSONValue, to out: inout [UInt8], sortedKeys: Bool = false) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .bigInt(let s): out.append(contentsOf: s.utf8)
        case .double(let d): out.append(contentsOf: formatDouble(d).utf8)
        case .string(let s): appendString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (n, v) in a.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                append(v, to: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var members = Array(o)
            if sortedKeys { members.sort { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) } }
            for (n, m) in members.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                appendString(m.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(m.value, to: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Shortest round-tripping form, always recognisable as a float (`12.0`, `1e-05`, `1e+16`).
    /// Non-finite values cannot come from the decoder; they are written as `null`.
    public static func formatDouble(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        let s = d.description
        if s.contains(".") || s.contains("e") { return s }
        return s + ".0"
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string literal (quotes, escapes for `"`, `\` and control characters).
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendString(utf8: $0, to: &out) }
    }

    /// Appends UTF-8 text as a JSON string literal, like ``appendString(_:to:)``; the bytes must be valid UTF-8
    /// (they are copied as they are, only `"`, `\` and control characters are escaped).
    public static func appendString(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // The bytes between escapes are copied a run at a time (a JSON payload escapes every quote of its keys).
        var runStart = 0
        for i in bytes.indices {
            let b = bytes[i]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            runStart = i + 1
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
            default:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xF)])
            }
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether `bytes` are valid UTF-8 (as `String(validating:as:)` decides), without building a string: all-ASCII
    /// input, the common case, is checked eight bytes at a time.
    public static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var i = 0
        let n = bytes.count
        let raw = UnsafeRawPointer(base)
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n && base[i] < 0x80 { i += 1 }
        if i == n { return true }
        return String(validating: UnsafeBufferPointer(rebasing: bytes[i...]), as: UTF8.self) != nil
    }
}
