import Foundation

/// A loaded Cerberus 1.3 schema.
///
/// Accepted shapes (YAML or JSON): `{schema: {field: rules, ...}, allow_unknown: bool, require_all: bool}`
/// or a bare field map `{field: rules, ...}`. Rules are documented in docs/VALIDATION.md.
public struct EventSchema: Sendable {
    /// Top-level fields, ordered as in the file.
    public let fields: [(name: String, rules: FieldRules)]
    /// Validator-level `allow_unknown` (default `false`).
    public let allowUnknown: Bool
    /// Validator-level `require_all` (default `false`).
    public let requireAll: Bool
    /// The field map, with fast lookup.
    public let fieldMap: SchemaFields

    init(fields: SchemaFields, allowUnknown: Bool, requireAll: Bool) {
        self.fieldMap = fields
        self.fields = fields.ordered
        self.allowUnknown = allowUnknown
        self.requireAll = requireAll
    }

    /// Loads a schema from YAML text (JSON is valid YAML too).
    /// - Throws: ``SchemaError`` for invalid YAML, unknown rules, malformed constraints or
    ///   regexes outside the supported subset, with the field path and rule.
    public static func load(yaml: String) throws(SchemaError) -> EventSchema {
        try load(value: try YAMLBridge.load(yaml))
    }

    /// Loads a schema from strict JSON text.
    public static func load(json: String) throws(SchemaError) -> EventSchema {
        let v: JSONValue
        do throws(JSONDecodeError) { v = try StrictJSONDecoder().decode(json) } catch {
            throw SchemaError(path: [], rule: nil, message: "invalid JSON: \(error)")
        }
        return try load(value: v)
    }

    /// Loads a schema file: strict JSON when it parses as such, YAML otherwise.
    /// - Throws: ``SchemaFileError`` when the file cannot be read, or ``SchemaError``.
    public static func load(contentsOf path: String) throws -> EventSchema {
        let text = try SchemaFileError.readText(path)
        if text.first(where: { !$0.isWhitespace }) == "{", let v = try? StrictJSONDecoder().decode(text) {
            return try load(value: v)
        }
        return try load(yaml: text)  // YAML (a flow mapping may also start with "{")
    }

    /// Loads a schema from an already-parsed document.
    public static func load(value: JSONValue) throws(SchemaError) -> EventSchema {
        guard case .object(let top) = value else {
            throw SchemaError(path: [], rule: nil, message: "a schema must be a mapping")
        }
        let wrapperKeys: Set<String> = ["schema", "allow_unknown", "require_all"]
        if case .object? = top["schema"], top.keys.allSatisfy({ wrapperKeys.contains($0) }) {
            var allowUnknown = false, requireAll = false
            if let a = top["allow_unknown"] {
                guard case .bool(let x) = a else {
                    throw SchemaError(path: [], rule: "allow_unknown", message: "only true/false is supported")
                }
                allowUnknown = x
            }
            if let r = top["require_all"] { requireAll = try SchemaLoader.bool(r, [], "require_all") }
            let fields = try SchemaLoader.fieldMap(top["schema"]!, path: [])
            return EventSchema(fields: fields, allowUnknown: allowUnknown, requireAll: requireAll)
        }
        return EventSchema(fields: try SchemaLoader.fieldMap(value, path: []), allowUnknown: false, requireAll: false)
    }
}
