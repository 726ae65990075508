/// The container and cross-field rules of Cerberus 1.3.
extension ValidationRun {
    /// `allowed`; `c` is the list as messages print it.
    mutating func allowed(_ list: [JSONValue], _ c: String, _ key: String, _ value: JSONValue, _ path: [String]) {
        if case .string(let s) = value {  // fast path: string in a list of strings
            for case .string(let a) in list where JSONObject.sameKey(a, s) { return }
        }
        switch value {
        case .array(let items):
            let bad = items.filter { !PythonSemantics.contains(list, $0) }
            if !bad.isEmpty { fail(path, key, "allowed", c, "unallowed values \(PythonRepr.tuple(bad))") }
        case .object(let o):
            let bad = o.keys.map { JSONValue.string($0) }.filter { !PythonSemantics.contains(list, $0) }
            if !bad.isEmpty { fail(path, key, "allowed", c, "unallowed values \(PythonRepr.tuple(bad))") }
        default:
            if !PythonSemantics.contains(list, value) {
                fail(path, key, "allowed", c, "unallowed value \(PythonRepr.str(value))")
            }
        }
    }

    /// `forbidden`; `c` is the list as messages print it.
    mutating func forbidden(_ list: [JSONValue], _ c: String, _ key: String, _ value: JSONValue, _ path: [String]) {
        if case .array(let items) = value {
            var hits: [JSONValue] = []
            for x in items where PythonSemantics.contains(list, x) && !PythonSemantics.contains(hits, x) { hits.append(x) }
            if !hits.isEmpty { fail(path, key, "forbidden", c, "unallowed values \(PythonRepr.repr(.array(hits)))") }
        } else if PythonSemantics.contains(list, value) {
            fail(path, key, "forbidden", c, "unallowed value \(PythonRepr.str(value))")
        }
    }

    /// `schema`: a field map for dicts, item rules for lists (Cerberus child validators).
    mutating func subschema(_ r: FieldRules, _ key: String, _ value: JSONValue, allowUnknown: Bool, requireAll: Bool, path: [String]) {
        let fp = path + [key]
        switch value {
        case .object(let o):
            guard let sub = r.schema else { return }
            mapping(o, sub, allowUnknown: r.allowUnknown ?? allowUnknown, requireAll: r.requireAll ?? requireAll, path: fp)
        case .array(let items):
            guard let ir = r.itemRules else { return }
            var unrequired: Set<String> = []
            for (n, item) in items.enumerated() {
                field(ir, String(n), item, context: JSONObject(), fields: nil, allowUnknown: allowUnknown,
                      requireAll: requireAll, path: fp, unrequired: &unrequired)
            }
        default: return
        }
    }

    /// `keysrules` / `valuesrules`: the rules applied to every key / value of a dict.
    mutating func bulk(_ r: FieldRules, _ rule: String, _ key: String, _ value: JSONValue, allowUnknown: Bool, requireAll: Bool, path: [String]) {
        guard case .object(let o) = value else { return }
        let rules = rule == "keysrules" ? r.keysRules! : r.valuesRules!
        let fp = path + [key]
        var unrequired: Set<String> = []
        for (k, v) in o {
            field(rules, k, rule == "keysrules" ? .string(k) : v, context: o, fields: nil, allowUnknown: allowUnknown,
                  requireAll: requireAll, path: fp, unrequired: &unrequired)
        }
    }

    /// Cerberus `_lookup_field`: dotted path, `^` for the root document.
    func lookup(_ name: String, _ context: JSONObject) -> JSONValue? {
        var path = Substring(name)
        var ctx = context
        if path.hasPrefix("^") {
            path = path.dropFirst()
            if !path.hasPrefix("^") { ctx = root }
        }
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        var current: JSONValue = .object(ctx)
        for part in parts {
            guard case .object(let o) = current, let v = o[String(part)] else { return nil }
            current = v
        }
        return current
    }

    /// Returns `false` when the rule failed (Cerberus then skips the field's remaining rules).
    mutating func dependencies(_ deps: JSONValue, _ key: String, _ context: JSONObject, _ path: [String]) -> Bool {
        var ok = true
        switch deps {
        case .object(let map):
            for (name, wanted) in map {
                let values: [JSONValue]
                if case .array(let a) = wanted { values = a } else { values = [wanted] }
                let actual = lookup(name, context) ?? .null
                if !PythonSemantics.contains(values, actual) { ok = false }
            }
            if !ok {
                let c = PythonRepr.repr(deps)
                fail(path, key, "dependencies", c, "depends on these values: \(c)")
            }
        default:
            let names: [String]
            if case .string(let s) = deps { names = [s] } else if case .array(let a) = deps {
                names = a.compactMap(\.stringValue)
            } else { names = [] }
            for n in names where lookup(n, context) == nil {
                ok = false
                fail(path, key, "dependencies", n, "field '\(n)' is required")
            }
        }
        return ok
    }

    mutating func excludes(_ r: FieldRules, _ excluded: [String], _ key: String, _ context: JSONObject, fields: SchemaFields?,
                           requireAll: Bool, path: [String], unrequired: inout Set<String>) {
        let isRequired = r.isRequired(requireAll: requireAll)
        if isRequired {
            unrequired.insert(key)
            for x in excluded where fields?.contains(x) == true { unrequired.insert(x) }
        }
        if excluded.contains(where: { context.contains($0) }) {
            let s = excluded.map { "'\($0)'" }.joined(separator: ", ")
            fail(path, key, "excludes", s, "\(s) must not be present with '\(key)'")
        }
    }
}
