/// Formats values the way Python's `str()` / `repr()` does, so error messages match Cerberus
/// (`unallowed value cart`, `min value is 0`, `depends on these values: {'a': ['x']}`).
enum PythonRepr {
    /// `str(value)`: strings bare, everything else as `repr`.
    static func str(_ v: JSONValue) -> String {
        if case .string(let s) = v { return s }
        return repr(v)
    }

    /// `repr(value)` for the JSON subset of Python values.
    static func repr(_ v: JSONValue) -> String {
        switch v {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .bigInt(let s): return s
        case .double(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d < 0 ? "-inf" : "inf" }
            return JSONWriter.formatDouble(d)
        case .string(let s): return quote(s)
        case .array(let a): return "[" + a.map(repr).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.map { quote($0.key) + ": " + repr($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// A tuple repr: `('a',)` or `('a', 'b')`.
    static func tuple(_ items: [JSONValue]) -> String {
        items.count == 1 ? "(" + repr(items[0]) + ",)" : "(" + items.map(repr).joined(separator: ", ") + ")"
    }

    /// Python's quoting rule: single quotes unless the text has a `'` and no `"`.
    static func quote(_ s: String) -> String {
        let useDouble = s.contains("'") && !s.contains("\"")
        let q: Character = useDouble ? "\"" : "'"
        var out = String(q)
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(ch) == q { out += "\\" + String(q) }
                else if ch.value < 0x20 || ch.value == 0x7F {
                    let h = String(ch.value, radix: 16)
                    out += "\\x" + String(repeating: "0", count: 2 - h.count) + h
                } else { out.unicodeScalars.append(ch) }
            }
        }
        out.append(q)
        return out
    }
}
