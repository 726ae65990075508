/// Turns a schema document (already converted to ``JSONValue``) into ``FieldRules`` trees,
/// rejecting unknown rules and malformed constraints with their path.
enum SchemaLoader {
    /// Rules validated in schema order are ``RuleKind``; these are the others.
    static let otherRules: Set<String> = [
        "type", "required", "nullable", "empty", "allow_unknown", "require_all", "default", "meta",
    ]

    static func fieldMap(_ v: JSONValue, path: [String]) throws(SchemaError) -> SchemaFields {
        guard case .object(let obj) = v else {
            throw SchemaError(path: path, rule: "schema", message: "a field map must be a mapping")
        }
        var out: [(name: String, rules: FieldRules)] = []
        for (name, def) in obj {
            guard case .object(let rulesObj) = def else {
                throw SchemaError(path: path + [name], rule: nil, message: "field rules must be a mapping")
            }
            out.append((name, try rules(rulesObj, path: path + [name])))
        }
        return SchemaFields(out)
    }

    static func bool(_ v: JSONValue, _ path: [String], _ rule: String) throws(SchemaError) -> Bool {
        guard case .bool(let b) = v else { throw SchemaError(path: path, rule: rule, message: "must be a boolean") }
        return b
    }

    static func list(_ v: JSONValue, _ path: [String], _ rule: String) throws(SchemaError) -> [JSONValue] {
        guard case .array(let a) = v else { throw SchemaError(path: path, rule: rule, message: "must be a list") }
        return a
    }

    static func length(_ v: JSONValue, _ path: [String], _ rule: String) throws(SchemaError) -> Int {
        guard case .int(let i) = v, i >= 0 else {
            throw SchemaError(path: path, rule: rule, message: "must be a non-negative integer")
        }
        return Int(i)
    }

    static func names(_ v: JSONValue, _ path: [String], _ rule: String) throws(SchemaError) -> [String] {
        switch v {
        case .string(let s): return [s]
        case .array(let a):
            var out: [String] = []
            for x in a {
                guard case .string(let s) = x else {
                    throw SchemaError(path: path, rule: rule, message: "must be a field name or a list of field names")
                }
                out.append(s)
            }
            return out
        default: throw SchemaError(path: path, rule: rule, message: "must be a field name or a list of field names")
        }
    }

    static func rules(_ obj: JSONObject, path: [String]) throws(SchemaError) -> FieldRules {
        var b = FieldRulesBuilder()
        var schemaValue: JSONValue?
        for (rule, v) in obj {
            if let kind = RuleKind(rawValue: rule) { b.ordered.append(kind) } else if !otherRules.contains(rule) {
                throw SchemaError(path: path, rule: rule, message: "unknown rule")
            }
            switch rule {
            case "type":
                var names: [String] = []
                if case .string(let s) = v { names = [s] } else if case .array(let a) = v {
                    for x in a { if case .string(let s) = x { names.append(s) } else { names.append("?") } }
                } else { throw SchemaError(path: path, rule: rule, message: "must be a type name or a list of type names") }
                for n in names {
                    guard let t = CerberusType(rawValue: n) else {
                        throw SchemaError(path: path, rule: rule, message: "unsupported type '\(n)'")
                    }
                    b.types.append(t)
                }
                b.typeConstraint = v
            case "required": b.required = try bool(v, path, rule)
            case "nullable": b.nullable = try bool(v, path, rule)
            case "empty": b.empty = try bool(v, path, rule)
            case "allow_unknown":
                guard case .bool(let x) = v else {
                    throw SchemaError(path: path, rule: rule, message: "only true/false is supported (no rules set)")
                }
                b.allowUnknown = x
            case "require_all": b.requireAll = try bool(v, path, rule)
            case "allowed": b.allowed = try list(v, path, rule)
            case "forbidden": b.forbidden = try list(v, path, rule)
            case "min", "max":
                switch v {
                case .int, .bigInt, .double, .string: break
                default: throw SchemaError(path: path, rule: rule, message: "must be a number or a string")
                }
                if rule == "min" { b.min = v } else { b.max = v }
            case "minlength": b.minLength = try length(v, path, rule)
            case "maxlength": b.maxLength = try length(v, path, rule)
            case "regex":
                guard case .string(let pattern) = v else { throw SchemaError(path: path, rule: rule, message: "must be a string") }
                do throws(SchemaError) { b.regex = try PythonRegex(pattern) } catch {
                    throw SchemaError(path: path, rule: rule, message: error.message)
                }
            case "schema": schemaValue = v
            case "keysrules", "valuesrules":
                guard case .object(let o) = v else { throw SchemaError(path: path, rule: rule, message: "must be a rules mapping") }
                let r = try rules(o, path: path + [rule])
                if rule == "keysrules" { b.keysRules = r } else { b.valuesRules = r }
            case "dependencies":
                switch v {
                case .string, .array: _ = try names(v, path, rule)
                case .object: break
                default: throw SchemaError(path: path, rule: rule, message: "must be a field name, a list or a mapping")
                }
                b.dependencies = v
            case "excludes": b.excludes = try names(v, path, rule)
            case "default": b.defaultValue = v
            case "meta": b.meta = v
            default: break
            }
        }
        if let schemaValue { try loadSubschema(schemaValue, into: &b, path: path) }
        return FieldRules(b)
    }

    /// `schema` means a field map for dicts and an item rules set for lists.
    static func loadSubschema(_ v: JSONValue, into b: inout FieldRulesBuilder, path: [String]) throws(SchemaError) {
        guard case .object(let o) = v else { throw SchemaError(path: path, rule: "schema", message: "must be a mapping") }
        let hasList = b.types.contains(.list), hasDict = b.types.contains(.dict)
        let allMappings = o.allSatisfy { if case .object = $0.value { return true } else { return false } }
        let asFields = hasDict && !hasList ? true : (hasList && !hasDict ? false : allMappings && !o.isEmpty)
        if asFields {
            b.schema = try fieldMap(v, path: path + ["schema"])
        } else {
            b.itemRules = try rules(o, path: path + ["schema"])
        }
    }
}
