/// A backtracking matcher for the common "flat" patterns: a sequence of single-character atoms,
/// each with a quantifier (e.g. `^e\d+$`, `^\d{4}-\d{2}-\d{2}T.+`). No allocation per match for
/// ASCII input.
struct SimpleMatcher: Sendable {
    /// A trivial (retain-free) step: kind 0 literal, 1 dot, 2 set (index into `sets`). `lo` and `hi` are the
    /// ASCII characters the step accepts, whatever its kind (bit `v` of `lo` for `v < 64`, of `hi` for `64 ≤ v < 128`).
    struct Step: Sendable {
        var kind: UInt8
        var literal: UInt32
        var lo: UInt64
        var hi: UInt64
        var set: Int
        var min: Int
        var max: Int
    }

    let steps: [Step]
    let sets: [CharSet]
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
        var sets: [CharSet] = []
        func step(_ a: RegexAtom, _ lo: Int, _ hi: Int) -> Step {
            switch a {
            case .literal(let l):
                let v = UInt64(l.value)
                return Step(kind: 0, literal: l.value, lo: v < 64 ? 1 << v : 0, hi: v >= 64 && v < 128 ? 1 << (v - 64) : 0,
                            set: 0, min: lo, max: hi)
            case .dot: return Step(kind: 1, literal: 0, lo: ~(1 << 10), hi: ~0, set: 0, min: lo, max: hi)  // all but \n
            case .set(let cs):
                sets.append(cs)
                return Step(kind: 2, literal: 0, lo: cs.lo, hi: cs.hi, set: sets.count - 1, min: lo, max: hi)
            }
        }
        for item in items {
            switch item {
            case .atom(let a): steps.append(step(a, 1, 1))
            case .repeated(.atom(let a), let lo, let hi, _): steps.append(step(a, lo, hi ?? Int.max))
            case .empty: continue
            default: return nil
            }
        }
        self.steps = steps
        self.sets = sets
        self.requireEnd = end
    }

    @inline(__always) func test(_ st: Step, _ v: UInt32) -> Bool {
        if v < 64 { return st.lo & (1 << UInt64(v)) != 0 }
        if v < 128 { return st.hi & (1 << UInt64(v - 64)) != 0 }
        switch st.kind {
        case 0: return st.literal == v
        case 1: return true
        default: return sets[st.set].slowContains(v)
        }
    }

    /// Whether the pattern matches at the start of `text` (and at its end when required).
    func matches(_ text: String) -> Bool {
        var copy = text
        let ascii: Bool? = copy.withUTF8 { utf8 -> Bool? in
            for b in utf8 where b >= 0x80 { return nil }
            return steps.withUnsafeBufferPointer { run(utf8, $0, 0, 0) }
        }
        if let ascii { return ascii }
        let scalars = text.unicodeScalars.map(\.value)
        return scalars.withUnsafeBufferPointer { buf in steps.withUnsafeBufferPointer { run(buf, $0, 0, 0) } }
    }

    @_specialize(where C == UInt8)
    @_specialize(where C == UInt32)
    /// Whether `steps[k...]` match `buf[pos...]`: each step takes as many characters as it can, and gives them
    /// back one at a time when the rest fails. A step with a fixed count has nothing to give back, so the steps
    /// are walked in a loop and only variable ones recurse.
    func run<C: BinaryInteger>(_ buf: UnsafeBufferPointer<C>, _ steps: UnsafeBufferPointer<Step>, _ k: Int, _ pos: Int) -> Bool {
        var k = k, pos = pos
        while k < steps.count {
            let st = steps[k]
            var c = 0
            while c < st.max && pos + c < buf.count && test(st, UInt32(buf[pos + c])) { c += 1 }
            if c < st.min { return false }
            if k == steps.count - 1 { return !requireEnd || pos + c == buf.count }
            if st.min == st.max {
                pos += c
                k += 1
                continue
            }
            while c >= st.min {
                if run(buf, steps, k + 1, pos + c) { return true }
                c -= 1
            }
            return false
        }
        return !requireEnd || pos == buf.count
    }
}
