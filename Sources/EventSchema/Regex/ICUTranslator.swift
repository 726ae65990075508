/// Emits an ICU (NSRegularExpression) pattern with the same meaning as a parsed Python pattern.
/// Every construct is emitted explicitly (`.` → `[^\n]`, `\d` → `\p{Nd}`, `$` → `\z`, ...).
enum ICUTranslator {
    static func emit(_ n: RegexNode) -> String {
        switch n {
        case .empty: return ""
        case .atom(let a): return atom(a)
        case .sequence(let xs): return xs.map(emit).joined()
        case .alternation(let xs): return xs.map(emit).joined(separator: "|")
        case .group(let x): return "(?:" + emit(x) + ")"
        case .repeated(let x, let lo, let hi, let lazy):
            var q: String
            switch (lo, hi) {
            case (0, nil): q = "*"
            case (1, nil): q = "+"
            case (0, 1): q = "?"
            case (let l, nil): q = "{\(l),}"
            case (let l, let h?): q = l == h ? "{\(l)}" : "{\(l),\(h)}"
            }
            if lazy { q += "?" }
            return "(?:" + emit(x) + ")" + q
        case .startAnchor: return "\\A"
        case .endAnchor: return "\\z"
        case .wordBoundary(let b): return b ? "\\b" : "\\B"
        }
    }

    static func scalar(_ u: UInt32) -> String { "\\x{" + String(u, radix: 16) + "}" }

    static func shorthand(_ s: CharSet.Shorthand) -> String {
        switch s {
        case .digit: return "\\p{Nd}"
        case .notDigit: return "\\P{Nd}"
        case .word: return "[\\p{L}\\p{N}_]"
        case .notWord: return "[^\\p{L}\\p{N}_]"
        case .space: return "[\\s\\x{1c}-\\x{1f}]"
        case .notSpace: return "[^\\s\\x{1c}-\\x{1f}]"
        }
    }

    static func atom(_ a: RegexAtom) -> String {
        switch a {
        case .literal(let l): return scalar(l.value)
        case .dot: return "[^\\n]"
        case .set(let set):
            var body = ""
            for r in set.ranges {
                body += r.lowerBound == r.upperBound ? scalar(r.lowerBound) : scalar(r.lowerBound) + "-" + scalar(r.upperBound)
            }
            for s in set.shorthands { body += shorthand(s) }
            if body.isEmpty { return set.negated ? "[^\\x{0}-\\x{10ffff}]" : "(?!)" }
            return (set.negated ? "[^" : "[") + body + "]"
        }
    }
}
