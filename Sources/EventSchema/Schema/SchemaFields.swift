/// An ordered field map (`field name → rules`), as in a Cerberus schema.
///
/// Names match with Swift `String` equality, as a `[String: Int]` would. A map of up to ``linearLimit`` fields
/// (event schemas have a handful) is searched linearly, which costs less than hashing the probe; larger maps
/// use a hash index.
public struct SchemaFields: Sendable {
    /// Fields in schema-file order.
    public let ordered: [(name: String, rules: FieldRules)]
    /// The names of `ordered`, contiguous for the linear search.
    private let names: [String]
    /// Name → position in `ordered`; only for maps of more than `linearLimit` fields.
    private let index: [String: Int]?

    /// The largest map searched linearly.
    static let linearLimit = 16

    init(_ ordered: [(name: String, rules: FieldRules)]) {
        self.ordered = ordered
        names = ordered.map(\.name)
        if ordered.count > Self.linearLimit {
            var idx: [String: Int] = [:]
            for (n, f) in ordered.enumerated() { idx[f.name] = n }
            index = idx
        } else {
            index = nil
        }
    }

    /// The position of `name` in ``ordered``, or `nil` when the field is not in the schema. Two names that
    /// differ only in Unicode normalization are equal `String`s: the later one wins, as in the hash index.
    func position(of name: String) -> Int? {
        if let index { return index[name] }
        return names.lastIndex(of: name)
    }

    /// The rules for `name`, or `nil` when the field is not in the schema.
    public subscript(name: String) -> FieldRules? {
        guard let i = position(of: name) else { return nil }
        return ordered[i].rules
    }

    /// Whether the map declares `name`.
    public func contains(_ name: String) -> Bool { position(of: name) != nil }
}
