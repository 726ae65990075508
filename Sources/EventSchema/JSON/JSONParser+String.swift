/// UTF-8 well-formedness (RFC 3629 §4, the table of valid byte sequences).
enum UTF8Check {
    /// The length of the well-formed sequence starting at `k`, or `nil` when it is ill-formed.
    @inline(__always)
    static func sequenceLength(_ p: UnsafePointer<UInt8>, _ k: Int, _ end: Int) -> Int? {
        let b0 = p[k]
        @inline(__always) func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            j < end && p[j] >= lo && p[j] <= hi
        }
        switch b0 {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return cont(k + 1) ? 2 : nil
        case 0xE0: return cont(k + 1, 0xA0) && cont(k + 2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return cont(k + 1) && cont(k + 2) ? 3 : nil
        case 0xED: return cont(k + 1, 0x80, 0x9F) && cont(k + 2) ? 3 : nil
        case 0xF0: return cont(k + 1, 0x90) && cont(k + 2) && cont(k + 3) ? 4 : nil
        case 0xF1...0xF3: return cont(k + 1) && cont(k + 2) && cont(k + 3) ? 4 : nil
        case 0xF4: return cont(k + 1, 0x80, 0x8F) && cont(k + 2) && cont(k + 3) ? 4 : nil
        default: return nil
        }
    }
}

extension JSONParser {
    /// Parses a string starting at the opening quote. Fast path: unescaped text is validated in
    /// place and turned into a `String` once; escapes switch to a byte buffer.
    mutating func parseString() throws(JSONDecodeError) -> String {
        i += 1
        let start = i
        _ = try scanPlainText()
        if p[i] == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
        let s = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        i += 1
        return s
    }

    /// Checks a string starting at the opening quote as `parseString` does (same rejections at the same offsets)
    /// without copying it.
    mutating func skipString() throws(JSONDecodeError) {
        i += 1
        _ = try scanPlainText()
        if p[i] == UInt8(ascii: "\\") {
            try checkEscapedString()
        } else {
            i += 1
        }
    }

    /// Advances `i` over unescaped string text to the closing quote or the first backslash (left at `i`),
    /// checking UTF-8 and rejecting control characters. Eight ASCII bytes at a time while none of them is a quote,
    /// a backslash, a control character or ≥ 0x80. Returns whether the text passed was all ASCII.
    @inline(__always)
    mutating func scanPlainText() throws(JSONDecodeError) -> Bool {
        var ascii = true
        while true {
            while i + 8 <= end {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if Self.hasSpecialByte(w) { break }
                i += 8
            }
            guard i < end else { throw fail(.syntax, i) }
            let c = p[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { return ascii }
            if c < 0x20 { throw fail(.syntax, i) }
            if c < 0x80 { i += 1; continue }
            guard let n = UTF8Check.sequenceLength(p, i, end) else { throw fail(.invalidUTF8, i) }
            ascii = false
            i += n
        }
    }

    /// Whether any byte of `w` is `"` (0x22), `\` (0x5C), below 0x20 or at least 0x80 (the SWAR "has zero byte"
    /// test on `w ^ repeated byte`, and on `w - 0x20…` for the control characters).
    @inline(__always)
    static func hasSpecialByte(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let t = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | (w &- ones &* 0x20) | w
        return t & highs != 0
    }

    /// Slow path: copies the prefix `[start, i)` then decodes escapes until the closing quote.
    mutating func parseEscapedString(from start: Int) throws(JSONDecodeError) -> String {
        var buf: [UInt8] = []
        buf.reserveCapacity(i - start + 16)
        buf.append(contentsOf: UnsafeBufferPointer(start: p + start, count: i - start))
        try decodeEscapedText(into: &buf, building: true)
        return String(decoding: buf, as: UTF8.self)
    }

    /// `parseEscapedString` without the copy: checks the rest of the string (from the backslash at `i`).
    mutating func checkEscapedString() throws(JSONDecodeError) {
        var none: [UInt8] = []
        try decodeEscapedText(into: &none, building: false)
    }

    /// Decodes string text from `i` (past the unescaped prefix) through the closing quote, appending the
    /// decoded bytes to `buf` when `building`; otherwise only checks them, with the same rejections.
    @inline(__always)
    mutating func decodeEscapedText(into buf: inout [UInt8], building: Bool) throws(JSONDecodeError) {
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return
            }
            if c < 0x20 { throw fail(.syntax, i) }
            if c >= 0x80 {
                guard let n = UTF8Check.sequenceLength(p, i, end) else { throw fail(.invalidUTF8, i) }
                if building { buf.append(contentsOf: UnsafeBufferPointer(start: p + i, count: n)) }
                i += n
                continue
            }
            if c != UInt8(ascii: "\\") { if building { buf.append(c) }; i += 1; continue }
            guard i + 1 < end else { throw fail(.syntax, i) }
            let e = p[i + 1]
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): if building { buf.append(e) }
            case UInt8(ascii: "b"): if building { buf.append(0x08) }
            case UInt8(ascii: "f"): if building { buf.append(0x0C) }
            case UInt8(ascii: "n"): if building { buf.append(0x0A) }
            case UInt8(ascii: "r"): if building { buf.append(0x0D) }
            case UInt8(ascii: "t"): if building { buf.append(0x09) }
            case UInt8(ascii: "u"):
                let at = i
                let u = try hex4(at: i + 2)
                i += 6
                var scalar: UInt32 = UInt32(u)
                if (0xD800...0xDBFF).contains(u) {
                    guard i + 1 < end, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else {
                        throw fail(.loneSurrogate, at)
                    }
                    let lo = try hex4(at: i + 2)
                    guard (0xDC00...0xDFFF).contains(lo) else { throw fail(.loneSurrogate, at) }
                    i += 6
                    scalar = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(u) {
                    throw fail(.loneSurrogate, at)
                }
                if building { appendUTF8(scalar, to: &buf) }
                continue
            default: throw fail(.syntax, i)
            }
            i += 2
        }
        throw fail(.syntax, i)
    }

    func hex4(at k: Int) throws(JSONDecodeError) -> UInt16 {
        guard k + 4 <= end else { throw fail(.syntax, k) }
        var v: UInt16 = 0
        for j in k..<(k + 4) {
            let c = p[j]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail(.syntax, j)
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    func appendUTF8(_ s: UInt32, to buf: inout [UInt8]) {
        switch s {
        case 0..<0x80: buf.append(UInt8(s))
        case 0x80..<0x800:
            buf.append(UInt8(0xC0 | (s >> 6))); buf.append(UInt8(0x80 | (s & 0x3F)))
        case 0x800..<0x10000:
            buf.append(UInt8(0xE0 | (s >> 12))); buf.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            buf.append(UInt8(0x80 | (s & 0x3F)))
        default:
            buf.append(UInt8(0xF0 | (s >> 18))); buf.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            buf.append(UInt8(0x80 | ((s >> 6) & 0x3F))); buf.append(UInt8(0x80 | (s & 0x3F)))
        }
    }
}
