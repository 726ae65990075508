/// The parsed form of a pattern in Weir's Python-`re` subset (see docs/VALIDATION.md).
indirect enum RegexNode: Sendable {
    case empty
    case atom(RegexAtom)
    case sequence([RegexNode])
    case alternation([RegexNode])
    case group(RegexNode)
    case repeated(RegexNode, min: Int, max: Int?, lazy: Bool)
    case startAnchor          // ^ or \A (no MULTILINE: start of string)
    case endAnchor            // $ or \Z; Weir: end of string only (no "before a final newline")
    case wordBoundary(Bool)   // \b (true) or \B (false)
}

/// A single-character matcher.
enum RegexAtom: Sendable {
    case literal(Unicode.Scalar)
    case dot                  // any scalar except "\n"
    case set(CharSet)
}

/// A character class: ranges and shorthand classes, optionally negated.
struct CharSet: Sendable {
    enum Shorthand: Sendable { case digit, notDigit, word, notWord, space, notSpace }
    var ranges: [ClosedRange<UInt32>] = []
    var shorthands: [Shorthand] = []
    var negated = false
    /// ASCII membership bitmap, precomputed for speed.
    var lo: UInt64 = 0
    var hi: UInt64 = 0

    static func shorthand(_ s: Shorthand) -> CharSet {
        var c = CharSet(); c.shorthands = [s]; c.finish(); return c
    }

    mutating func finish() {
        lo = 0; hi = 0
        for v in UInt32(0)..<128 where slowContains(v) {
            if v < 64 { lo |= 1 << UInt64(v) } else { hi |= 1 << UInt64(v - 64) }
        }
    }

    @inline(__always) func contains(_ v: UInt32) -> Bool {
        if v < 64 { return lo & (1 << UInt64(v)) != 0 }
        if v < 128 { return hi & (1 << UInt64(v - 64)) != 0 }
        return slowContains(v)
    }

    func slowContains(_ v: UInt32) -> Bool {
        var hit = ranges.contains { $0.contains(v) }
        if !hit {
            for s in shorthands where CharSet.matches(s, v) { hit = true; break }
        }
        return hit != negated
    }

    /// Python 3 `str` semantics: `\d` is Unicode Nd, `\w` is alphanumeric or `_`, `\s` is whitespace.
    static func matches(_ s: Shorthand, _ v: UInt32) -> Bool {
        switch s {
        case .digit: return isDigit(v)
        case .notDigit: return !isDigit(v)
        case .word: return isWord(v)
        case .notWord: return !isWord(v)
        case .space: return isSpace(v)
        case .notSpace: return !isSpace(v)
        }
    }

    static func isDigit(_ v: UInt32) -> Bool {
        if v < 128 { return v >= 48 && v <= 57 }
        guard let u = Unicode.Scalar(v) else { return false }
        return u.properties.generalCategory == .decimalNumber
    }

    static func isWord(_ v: UInt32) -> Bool {
        if v < 128 {
            return (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || v == 95
        }
        guard let u = Unicode.Scalar(v) else { return false }
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    static func isSpace(_ v: UInt32) -> Bool {
        if v < 128 { return v == 32 || (v >= 9 && v <= 13) || (v >= 0x1C && v <= 0x1F) }
        guard let u = Unicode.Scalar(v) else { return false }
        return u.properties.isWhitespace
    }
}
