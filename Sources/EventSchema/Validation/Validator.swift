/// Validates documents against an ``EventSchema`` with Cerberus 1.3 semantics
/// (normalization of `default`s first, then validation of the normalized document).
///
/// Thread-safe and cheap to copy; create once per schema and call ``validate(_:)`` per event.
public struct Validator: Sendable {
    public let schema: EventSchema
    let hasDefaults: Bool
    /// Whether validation reads nothing of a document's undeclared top-level members but their keys: the schema
    /// allows unknown fields at the top, and no rule at any depth is `dependencies` or `excludes` (the only rules
    /// that look at other members, possibly undeclared ones). A decoder may then leave those members out
    /// (``DeclaredMembers/skipsUndeclaredValues``): the result is the same, but for ``ValidationResult/unknownFieldCount``,
    /// which does not count them.
    public let ignoresUndeclaredMembers: Bool

    public init(schema: EventSchema) {
        self.schema = schema
        self.hasDefaults = Validator.anyDefaults(schema.fieldMap)
        ignoresUndeclaredMembers = schema.allowUnknown && !Validator.anyContextRules(schema.fieldMap)
    }

    /// Whether a field at any depth has a `dependencies` or `excludes` rule.
    static func anyContextRules(_ fields: SchemaFields) -> Bool {
        func rules(_ r: FieldRules) -> Bool {
            r.dependencies != nil || r.excludes != nil || r.schema.map(anyContextRules) == true
                || [r.itemRules, r.keysRules, r.valuesRules].contains { $0.map(rules) == true }
        }
        return fields.ordered.contains { rules($0.rules) }
    }

    static func anyDefaults(_ fields: SchemaFields) -> Bool {
        fields.ordered.contains { f in
            f.rules.defaultValue != nil || f.rules.schema.map(anyDefaults) == true
                || f.rules.itemRules?.schema.map(anyDefaults) == true
        }
    }

    /// Normalizes and validates `document`.
    public func validate(_ document: JSONObject) -> ValidationResult {
        let doc = hasDefaults ? Normalizer.normalize(document, schema.fieldMap) : document
        var run = ValidationRun(root: doc)
        let unknown = run.mapping(doc, schema.fieldMap, allowUnknown: schema.allowUnknown, requireAll: schema.requireAll, path: [])
        return ValidationResult(errors: run.errors, document: doc, unknownFieldCount: unknown)
    }

    /// Whether ``acceptsFlat(_:)`` can stand in for ``validate(_:)-(JSONObject)`` on a document's declared members:
    /// the schema has no `default` (nothing is normalized) and ``ignoresUndeclaredMembers`` holds (unknown fields
    /// are allowed and no rule looks at other members).
    public var checksFlatDocuments: Bool { !hasDefaults && ignoresUndeclaredMembers }

    /// Whether a document whose top-level fields have the scalar-or-nil `values` (the schema's fields in order, nil
    /// for an absent one; see ``StrictJSONDecoder/decodeFlat(_:declared:values:undeclared:)``) and any undeclared
    /// members passes validation: true exactly when ``validate(_:)-(JSONObject)`` finds no error in it. Only
    /// meaningful when ``checksFlatDocuments``; it does not say why a document fails (``validate(_:)-(JSONObject)``
    /// does).
    public func acceptsFlat(_ values: [JSONValue?]) -> Bool {
        let fields = schema.fields
        guard values.count == fields.count else { return false }
        var run = ValidationRun(root: JSONObject())
        var unrequired: Set<String> = []
        let context = JSONObject()
        for index in values.indices {
            let field = fields[index]
            if let value = values[index] {
                // No `dependencies` or `excludes` rule (`checksFlatDocuments`): nothing reads the context or the map.
                run.field(field.rules, field.name, value, context: context, fields: nil, allowUnknown: schema.allowUnknown,
                          requireAll: schema.requireAll, path: [], unrequired: &unrequired)
                if !run.errors.isEmpty { return false }
            } else if field.rules.isRequired(requireAll: schema.requireAll) {
                return false
            }
        }
        return true
    }

    /// Validates a decoded value; anything but an object is reported like Cerberus's
    /// "document is missing"/"must be a dict" case with the rule `type` at the root path.
    public func validate(_ value: JSONValue) -> ValidationResult {
        guard case .object(let o) = value else {
            let e = ValidationError(path: [], rule: "type", constraint: "dict", message: "must be of dict type")
            return ValidationResult(errors: [e], document: JSONObject(), unknownFieldCount: 0)
        }
        return validate(o)
    }
}

/// Applies `default` rules recursively (Cerberus's `__normalize_default_fields` + containers).
enum Normalizer {
    static func normalize(_ doc: JSONObject, _ fields: SchemaFields) -> JSONObject {
        var d = doc
        for (name, r) in fields.ordered {
            guard let dv = r.defaultValue else { continue }
            let current = d[name]
            if current == nil || (current == .null && !r.nullable) { d.set(name, dv) }
        }
        for (name, r) in fields.ordered {
            guard let v = d[name] else { continue }
            if case .object(let o) = v, let sub = r.schema {
                d.set(name, .object(normalize(o, sub)))
            } else if case .array(let a) = v, let sub = r.itemRules?.schema {
                d.set(name, .array(a.map { item in
                    if case .object(let o) = item { return .object(normalize(o, sub)) }
                    return item
                }))
            }
        }
        return d
    }
}
