/// A schema that cannot be loaded: unknown rule, wrong constraint type, unsupported regex, bad YAML.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    /// Field path inside the schema, e.g. `["address", "schema", "zip"]`.
    public var path: [String]
    /// The offending rule name, when there is one.
    public var rule: String?
    public var message: String

    public init(path: [String], rule: String?, message: String) {
        self.path = path
        self.rule = rule
        self.message = message
    }

    public var description: String {
        let where_ = path.isEmpty ? "<root>" : path.joined(separator: ".")
        if let rule { return "schema error at \(where_), rule '\(rule)': \(message)" }
        return "schema error at \(where_): \(message)"
    }
}
