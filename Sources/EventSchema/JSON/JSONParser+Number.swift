#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONParser {
    /// Exact powers of ten representable as doubles (Clinger's fast path).
    static let pow10: [Double] = (0...22).map { e in var x = 1.0; for _ in 0..<e { x *= 10 }; return x }

    /// Parses an RFC 8259 §6 number. No fraction and no exponent → `.int` (or `.bigInt` beyond
    /// Int64); otherwise `.double`. Overflow to infinity is rejected as `nonFiniteNumber`.
    mutating func parseNumber() throws(JSONDecodeError) -> JSONValue {
        let start = i
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
            if i < end && p[i] == UInt8(ascii: "I") { throw fail(.nonFiniteNumber, start) }
        }
        guard i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") else { throw fail(.syntax, i) }
        var mantissa: UInt64 = 0
        var digits = 0
        var overflow = false
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if i < end && p[i] >= UInt8(ascii: "0") && p[i] <= UInt8(ascii: "9") { throw fail(.syntax, i) }
        } else {
            while i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") {
                let d = UInt64(p[i] - UInt8(ascii: "0"))
                if digits < 19 { mantissa = mantissa &* 10 &+ d } else { overflow = true }
                digits += 1
                i += 1
            }
        }
        var isFloat = false
        var fracDigits = 0
        if i < end && p[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            guard i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") else { throw fail(.syntax, i) }
            while i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") {
                if digits + fracDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] - UInt8(ascii: "0"))
                    fracDigits += 1
                } else { overflow = true }
                i += 1
            }
        }
        var exp = 0
        if i < end && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            isFloat = true
            i += 1
            var expNeg = false
            if i < end && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { expNeg = p[i] == UInt8(ascii: "-"); i += 1 }
            guard i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") else { throw fail(.syntax, i) }
            while i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") {
                if exp < 100_000 { exp = exp * 10 + Int(p[i] - UInt8(ascii: "0")) }
                i += 1
            }
            if expNeg { exp = -exp }
        }
        if !isFloat {
            if !overflow {
                if negative {
                    if mantissa <= UInt64(Int64.max) { return .int(-Int64(mantissa)) }
                    if mantissa == UInt64(Int64.max) + 1 { return .int(Int64.min) }
                } else if mantissa <= UInt64(Int64.max) {
                    return .int(Int64(mantissa))
                }
            }
            let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
            return .bigInt(text)
        }
        let e10 = exp - fracDigits
        if !overflow && mantissa < (1 << 53) && e10 >= -22 && e10 <= 22 {
            var d = Double(mantissa)
            d = e10 < 0 ? d / Self.pow10[-e10] : d * Self.pow10[e10]
            return .double(negative ? -d : d)
        }
        let d = slowDouble(from: start)
        guard d.isFinite else { throw fail(.nonFiniteNumber, start) }
        return .double(d)
    }

    /// Correctly rounded conversion via `strtod` on a NUL-terminated copy.
    func slowDouble(from start: Int) -> Double {
        var tmp = [CChar](repeating: 0, count: i - start + 1)
        for k in 0..<(i - start) { tmp[k] = CChar(bitPattern: p[start + k]) }
        return tmp.withUnsafeBufferPointer { strtod($0.baseAddress!, nil) }
    }
}
