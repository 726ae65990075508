/// An ordered field map (`field name → rules`), as in a Cerberus schema.
public struct SchemaFields: Sendable {
    /// Fields in schema-file order.
    public let ordered: [(name: String, rules: FieldRules)]
    let index: [String: Int]

    init(_ ordered: [(name: String, rules: FieldRules)]) {
        self.ordered = ordered
        var idx: [String: Int] = [:]
        for (n, f) in ordered.enumerated() { idx[f.name] = n }
        self.index = idx
    }

    /// The rules for `name`, or `nil` when the field is not in the schema.
    public subscript(name: String) -> FieldRules? {
        guard let i = index[name] else { return nil }
        return ordered[i].rules
    }

    /// Whether the map declares `name`.
    public func contains(_ name: String) -> Bool { index[name] != nil }
}
