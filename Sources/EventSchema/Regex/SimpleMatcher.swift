/// A backtracking matcher for the common "flat" patterns: a sequence of single-character atoms,
/// each with a quantifier (e.g. `^e\d+$`, `^\d{4}-\d{2}-\d{2}T.+`). No allocation per match for
/// ASCII input.
struct SimpleMatcher: Sendable {
    struct Step: Sendable {
        var atom: RegexAtom
        var min: Int
        var max: Int
    }

    let steps: [Step]
    /// Whether the whole string must be consumed (Cerberus appends `$`).
    let requireEnd: Bool

    /// Builds a simple matcher when `node` is flat enough, otherwise `nil`.
    init?(_ node: RegexNode, requireEnd: Bool) {
        var items: [RegexNode]
        if case .sequence(let xs) = node { items = xs } else { items = [node] }
        if case .startAnchor = items.first { items.removeFirst() }
        var end = requireEnd
        if case .endAnchor = items.last { items.removeLast(); end = true }
        var steps: [Step] = []
        for item in items {
            switch item {
            case .atom(let a): steps.append(Step(atom: a, min: 1, max: 1))
            case .repeated(.atom(let a), let lo, let hi, _): steps.append(Step(atom: a, min: lo, max: hi ?? Int.max))
            case .empty: continue
            default: return nil
            }
        }
        self.steps = steps
        self.requireEnd = end
    }

    @inline(__always) static func test(_ a: RegexAtom, _ v: UInt32) -> Bool {
        switch a {
        case .literal(let l): return l.value == v
        case .dot: return v != 10
        case .set(let s): return s.contains(v)
        }
    }

    /// Whether the pattern matches at the start of `text` (and at its end when required).
    func matches(_ text: String) -> Bool {
        var copy = text
        let ascii: Bool? = copy.withUTF8 { utf8 -> Bool? in
            for b in utf8 where b >= 0x80 { return nil }
            return run(utf8, 0, 0)
        }
        if let ascii { return ascii }
        let scalars = text.unicodeScalars.map(\.value)
        return scalars.withUnsafeBufferPointer { run($0, 0, 0) }
    }

    func run<C: BinaryInteger>(_ buf: UnsafeBufferPointer<C>, _ k: Int, _ pos: Int) -> Bool {
        if k == steps.count { return !requireEnd || pos == buf.count }
        let st = steps[k]
        var j = pos
        var c = 0
        while c < st.max && j < buf.count && Self.test(st.atom, UInt32(buf[j])) { j += 1; c += 1 }
        if c < st.min { return false }
        if k == steps.count - 1 { return !requireEnd || j == buf.count }
        while c >= st.min {
            if run(buf, k + 1, pos + c) { return true }
            c -= 1
        }
        return false
    }
}
