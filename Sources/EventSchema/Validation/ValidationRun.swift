/// The state of one validation: the root document and the collected errors.
struct ValidationRun {
    let root: JSONObject
    var errors: [ValidationError] = []

    init(root: JSONObject) { self.root = root }

    mutating func fail(_ path: [String], _ key: String, _ rule: String, _ constraint: String?, _ message: String) {
        errors.append(ValidationError(path: path + [key], rule: rule, constraint: constraint, message: message))
    }

    /// Validates a mapping against a field map (Cerberus `validate` on a (child) validator).
    /// - Returns: how many of `doc`'s keys `fields` does not declare (unknown fields, allowed or not).
    @discardableResult
    mutating func mapping(_ doc: JSONObject, _ fields: SchemaFields, allowUnknown: Bool, requireAll: Bool, path: [String]) -> Int {
        var unknownCount = 0
        var unrequired: Set<String> = []
        // Which schema fields are present, by index (no second pass of string comparisons).
        var present = [Bool](repeating: false, count: fields.ordered.count > 64 ? fields.ordered.count : 0)
        var presentMask: UInt64 = 0
        for (key, value) in doc {
            if let idx = fields.position(of: key) {
                if idx < 64 { presentMask |= 1 << UInt64(idx) } else { present[idx] = true }
                field(fields.ordered[idx].rules, key, value, context: doc, fields: fields, allowUnknown: allowUnknown,
                      requireAll: requireAll, path: path, unrequired: &unrequired)
            } else {
                unknownCount += 1
                if !allowUnknown { fail(path, key, "unknown", nil, "unknown field") }
            }
        }
        for (idx, f) in fields.ordered.enumerated() where f.rules.isRequired(requireAll: requireAll) {
            let isPresent = idx < 64 ? presentMask & (1 << UInt64(idx)) != 0 : present[idx]
            if !isPresent && (unrequired.isEmpty || !unrequired.contains(f.name)) {
                fail(path, f.name, "required", "True", "required field")
            }
        }
        if !unrequired.isEmpty {
            let present = Set(doc.lazy.filter { !$0.value.isNull }.map(\.key))
            if unrequired.isDisjoint(with: present) {
                for name in fields.ordered.map(\.name) where unrequired.contains(name) && !present.contains(name) {
                    fail(path, name, "required", "True", "required field")
                }
            }
        }
        return unknownCount
    }

    /// Validates one field's value (Cerberus `__validate_definitions`).
    mutating func field(_ r: FieldRules, _ key: String, _ value: JSONValue, context: JSONObject, fields: SchemaFields?,
                        allowUnknown: Bool, requireAll: Bool, path: [String], unrequired: inout Set<String>) {
        var isNull = false
        if case .null = value {
            isNull = true
            if !r.nullable { fail(path, key, "nullable", "False", "null value not allowed") }
        }
        if !isNull && r.typeMask != 0 && r.typeMask & value.kindBit == 0 {
            fail(path, key, "type", r.typeText, "must be of \(r.typeText) type")
            return
        }
        var isEmpty = false
        if !isNull, let allowEmpty = r.empty, PythonSemantics.length(value) == 0 {
            isEmpty = true
            if !allowEmpty { fail(path, key, "empty", "False", "empty values not allowed") }
        }
        for rule in r.ordered {
            if isNull && rule.droppedByNull { continue }
            if isEmpty && rule.droppedByEmpty { continue }
            switch rule {
            case .allowed: allowed(r.allowed!, r.allowedText!, key, value, path)
            case .forbidden: forbidden(r.forbidden!, r.forbiddenText!, key, value, path)
            case .regex:
                if case .string(let s) = value, !r.regex!.matches(s) {
                    fail(path, key, "regex", r.regex!.pattern, "value does not match regex '\(r.regex!.pattern)'")
                }
            case .min:
                if let c = PythonSemantics.compare(value, r.min!), c < 0 {
                    fail(path, key, "min", r.minText!, "min value is \(r.minText!)")
                }
            case .max:
                if let c = PythonSemantics.compare(value, r.max!), c > 0 {
                    fail(path, key, "max", r.maxText!, "max value is \(r.maxText!)")
                }
            case .minlength:
                if let n = PythonSemantics.length(value), n < r.minLength! {
                    fail(path, key, "minlength", String(r.minLength!), "min length is \(r.minLength!)")
                }
            case .maxlength:
                if let n = PythonSemantics.length(value), n > r.maxLength! {
                    fail(path, key, "maxlength", String(r.maxLength!), "max length is \(r.maxLength!)")
                }
            case .schema: subschema(r, key, value, allowUnknown: allowUnknown, requireAll: requireAll, path: path)
            case .keysrules, .valuesrules: bulk(r, rule.rawValue, key, value, allowUnknown: allowUnknown, requireAll: requireAll, path: path)
            case .dependencies:
                if !dependencies(r.dependencies!, key, context, path) { return }
            case .excludes:
                excludes(r, r.excludes!, key, context, fields: fields, requireAll: requireAll, path: path, unrequired: &unrequired)
            }
        }
    }
}
