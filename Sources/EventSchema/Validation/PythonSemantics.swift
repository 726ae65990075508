/// Python value semantics the validator needs: `==`, ordering (`<`), `len()`.
enum PythonSemantics {
    /// Python `==` for JSON values: `1 == 1.0`; dicts compare unordered.
    /// Deviation: booleans are never equal to numbers.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.bigInt(let x), .bigInt(let y)): return x == y
        case (.string(let x), .string(let y)): return JSONObject.sameKey(x, y)
        case (.int, .double), (.double, .int), (.double, .double), (.bigInt, .double), (.double, .bigInt):
            return a.numericValue == b.numericValue
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x { guard let w = y[k], equal(v, w) else { return false } }
            return true
        default: return a == b
        }
    }

    static func contains(_ list: [JSONValue], _ v: JSONValue) -> Bool { list.contains { equal($0, v) } }

    /// Python's three-way comparison, or `nil` where Python raises `TypeError` (Cerberus then
    /// skips `min`/`max`). Booleans are not compared with numbers (deviation).
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .string(let y)):
            if x == y { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1
        default:
            guard let x = a.numericValue, let y = b.numericValue else { return nil }
            return x < y ? -1 : (x > y ? 1 : 0)
        }
    }

    /// `len(value)` for sized values (str counts code points), else `nil`.
    static func length(_ v: JSONValue) -> Int? {
        switch v {
        case .string(let s): return s.unicodeScalars.count
        case .array(let a): return a.count
        case .object(let o): return o.count
        default: return nil
        }
    }
}
