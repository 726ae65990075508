extension PyRegexParser {
    static let punctuation: Set<Unicode.Scalar> = Set("\\.^$|?*+()[]{}-/,:;!\"'#%&<=>@`~_ ".unicodeScalars)

    mutating func parseEscape(inClass: Bool) throws(Failure) -> RegexNode {
        guard let c = peek() else { throw Failure(message: "bad escape (end of pattern)") }
        i += 1
        switch c {
        case "d": return .atom(.set(.shorthand(.digit)))
        case "D": return .atom(.set(.shorthand(.notDigit)))
        case "w": return .atom(.set(.shorthand(.word)))
        case "W": return .atom(.set(.shorthand(.notWord)))
        case "s": return .atom(.set(.shorthand(.space)))
        case "S": return .atom(.set(.shorthand(.notSpace)))
        case "t": return .atom(.literal("\t"))
        case "n": return .atom(.literal("\n"))
        case "r": return .atom(.literal("\r"))
        case "f": return .atom(.literal("\u{0C}"))
        case "v": return .atom(.literal("\u{0B}"))
        case "x": return .atom(.literal(try hex(2)))
        case "u": return .atom(.literal(try hex(4)))
        case "A" where !inClass: return .startAnchor
        case "Z" where !inClass: return .endAnchor
        case "b" where !inClass: return .wordBoundary(true)
        case "B" where !inClass: return .wordBoundary(false)
        default:
            if PyRegexParser.punctuation.contains(c) { return .atom(.literal(c)) }
            throw Failure(message: "unsupported escape '\\\(c)'")
        }
    }

    mutating func hex(_ n: Int) throws(Failure) -> Unicode.Scalar {
        guard i + n <= s.count else { throw Failure(message: "incomplete \\x or \\u escape") }
        let text = String(String.UnicodeScalarView(s[i..<(i + n)]))
        guard let v = UInt32(text, radix: 16), let u = Unicode.Scalar(v) else {
            throw Failure(message: "bad hex escape '\(text)'")
        }
        i += n
        return u
    }

    /// Parses the body of `[...]` after the `[`.
    mutating func parseClass() throws(Failure) -> CharSet {
        var set = CharSet()
        if peek() == "^" { set.negated = true; i += 1 }
        var first = true
        while true {
            guard let c = peek() else { throw Failure(message: "unterminated character set") }
            if c == "]" && !first { i += 1; break }
            first = false
            if c == "[" { throw Failure(message: "nested '[' in a character set must be escaped") }
            let lowNode: RegexNode
            if c == "\\" { i += 1; lowNode = try parseEscape(inClass: true) } else { i += 1; lowNode = .atom(.literal(c)) }
            guard case .atom(let a) = lowNode else { throw Failure(message: "bad escape in character set") }
            switch a {
            case .set(let sh): set.shorthands += sh.shorthands
            case .dot: throw Failure(message: "bad character set")
            case .literal(let lo):
                if peek() == "-", i + 1 < s.count, s[i + 1] != "]" {
                    i += 1
                    let hc = s[i]; i += 1
                    var hiScalar = hc
                    if hc == "\\" {
                        guard case .atom(.literal(let h)) = try parseEscape(inClass: true) else {
                            throw Failure(message: "bad character range")
                        }
                        hiScalar = h
                    } else if hc == "[" { throw Failure(message: "nested '[' in a character set must be escaped") }
                    guard hiScalar.value >= lo.value else { throw Failure(message: "bad character range") }
                    set.ranges.append(lo.value...hiScalar.value)
                } else {
                    set.ranges.append(lo.value...lo.value)
                }
            }
        }
        set.finish()
        return set
    }
}
