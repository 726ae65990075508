/// Parses a Python `re` pattern restricted to Weir's subset; anything else is an error, so a
/// pattern is never silently given a different meaning.
///
/// Subset: literals and escaped punctuation, `.`, classes `[...]`/`[^...]` with ranges,
/// `\d \D \w \W \s \S`, `\t \n \r \f \v \xHH \uHHHH`, groups `(...)` and `(?:...)`, `|`,
/// quantifiers `* + ? {n} {n,} {,m} {n,m}` (greedy or lazy `?`), anchors `^ $ \A \Z`, `\b \B`.
struct PyRegexParser {
    struct Failure: Error { let message: String }

    let s: [Unicode.Scalar]
    var i = 0
    var depth = 0

    init(_ pattern: String) { s = Array(pattern.unicodeScalars) }

    static func parse(_ pattern: String) throws(Failure) -> RegexNode {
        var p = PyRegexParser(pattern)
        let node = try p.parseAlternation()
        if p.i < p.s.count { throw Failure(message: "unbalanced ')' at position \(p.i)") }
        return node
    }

    func peek() -> Unicode.Scalar? { i < s.count ? s[i] : nil }

    mutating func parseAlternation() throws(Failure) -> RegexNode {
        var branches = [try parseSequence()]
        while peek() == "|" { i += 1; branches.append(try parseSequence()) }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseSequence() throws(Failure) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek(), c != "|", c != ")" {
            var node = try parseTerm()
            if let q = try parseQuantifier() {
                switch node {
                case .startAnchor, .endAnchor, .wordBoundary, .empty:
                    throw Failure(message: "nothing to repeat at position \(i)")
                default: node = .repeated(node, min: q.0, max: q.1, lazy: q.2)
                }
                if let c2 = peek(), c2 == "*" || c2 == "+" || c2 == "?" || c2 == "{" {
                    throw Failure(message: "multiple repeat at position \(i)")
                }
            }
            items.append(node)
        }
        if items.isEmpty { return .empty }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    mutating func parseTerm() throws(Failure) -> RegexNode {
        let c = s[i]
        i += 1
        switch c {
        case "(":
            if peek() == "?" {
                guard i + 1 < s.count, s[i + 1] == ":" else {
                    throw Failure(message: "unsupported group construct '(?' (only '(?:' is supported)")
                }
                i += 2
            }
            depth += 1
            if depth > 32 { throw Failure(message: "groups nested too deeply") }
            let inner = try parseAlternation()
            depth -= 1
            guard peek() == ")" else { throw Failure(message: "missing ), unterminated subpattern") }
            i += 1
            return .group(inner)
        case "[": return .atom(.set(try parseClass()))
        case ".": return .atom(.dot)
        case "^": return .startAnchor
        case "$": return .endAnchor
        case "*", "+", "?": throw Failure(message: "nothing to repeat at position \(i - 1)")
        case "{":
            throw Failure(message: "literal '{' must be escaped as '\\{' (position \(i - 1))")
        case "\\": return try parseEscape(inClass: false)
        default: return .atom(.literal(c))
        }
    }

    /// Returns (min, max, lazy) when a quantifier follows.
    mutating func parseQuantifier() throws(Failure) -> (Int, Int?, Bool)? {
        guard let c = peek() else { return nil }
        var q: (Int, Int?)
        switch c {
        case "*": q = (0, nil); i += 1
        case "+": q = (1, nil); i += 1
        case "?": q = (0, 1); i += 1
        case "{":
            var j = i + 1
            func number(_ j: inout Int) -> Int? {
                var v: Int?
                while j < s.count, let d = Int(String(s[j])), s[j].isASCII, v ?? 0 < 100_000 {
                    v = (v ?? 0) * 10 + d; j += 1
                }
                return v
            }
            let lo = number(&j)
            var hi = lo
            if j < s.count && s[j] == "," { j += 1; hi = number(&j) }
            guard j < s.count, s[j] == "}", lo != nil || hi != nil || s[j - 1] == "," else {
                throw Failure(message: "literal '{' must be escaped as '\\{' (position \(i))")
            }
            if s[j - 1] == "," && hi == nil { q = (lo ?? 0, nil) } else { q = (lo ?? 0, hi) }
            if let h = q.1, h < q.0 { throw Failure(message: "min repeat greater than max repeat") }
            i = j + 1
        default: return nil
        }
        var lazy = false
        if peek() == "?" { lazy = true; i += 1 }
        return (q.0, q.1, lazy)
    }
}
