/// PostgreSQL array literals in text format (`{a,b,"c d"}`), for passing a whole list as one parameter
/// (`= ANY($1::uuid[])`, `unnest($1::text[])`), so a batch is one statement whatever its length.
enum PGArrayLiteral {
    /// Values that never need quoting (numbers, hexadecimal, uuids).
    static func bare<S: Sequence>(_ values: S) -> String where S.Element: CustomStringConvertible {
        "{" + values.map(\.description).joined(separator: ",") + "}"
    }

    /// Text values, each double-quoted with `\` and `"` escaped; nil is NULL.
    static func text(_ values: [String?]) -> String {
        var out = "{"
        for (i, value) in values.enumerated() {
            if i > 0 { out += "," }
            guard let value else { out += "NULL"; continue }
            out += "\""
            for ch in value.unicodeScalars {
                if ch == "\\" || ch == "\"" { out += "\\" }
                out.unicodeScalars.append(ch)
            }
            out += "\""
        }
        return out + "}"
    }

    /// 16 bytes given as two 64-bit halves, as 32 lowercase hex digits (PostgreSQL reads them as a `uuid`).
    static func uuidHex(high: UInt64, low: UInt64) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in 0..<16 {
            bytes[i] = digits[Int((high >> (60 - 4 * UInt64(i))) & 0xF)]
            bytes[16 + i] = digits[Int((low >> (60 - 4 * UInt64(i))) & 0xF)]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The two 64-bit halves of a `uuid` in PostgreSQL's output form (`8-4-4-4-12` hex digits), nil if malformed.
    static func uuidHalves(_ text: String) -> (high: UInt64, low: UInt64)? {
        var high: UInt64 = 0, low: UInt64 = 0, n = 0
        for c in text.utf8 where c != UInt8(ascii: "-") {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if n < 16 { high = high << 4 | UInt64(v) } else { low = low << 4 | UInt64(v) }
            n += 1
        }
        return n == 32 ? (high, low) : nil
    }
}
