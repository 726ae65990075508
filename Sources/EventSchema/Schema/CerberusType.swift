/// The Cerberus 1.3 type names Weir supports in the `type` rule.
///
/// Deviation from Cerberus: `true`/`false` are only ever `boolean` (Cerberus also counts them
/// as `integer`, `float` and `number` because Python's `bool` subclasses `int`).
public enum CerberusType: String, Sendable, CaseIterable {
    case string, integer, float, number, boolean, dict, list

    /// Whether `value` is of this type. `float` accepts integers, as in Cerberus.
    public func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.string, .string): return true
        case (.integer, .int), (.integer, .bigInt): return true
        case (.float, .int), (.float, .bigInt), (.float, .double): return true
        case (.number, .int), (.number, .bigInt), (.number, .double): return true
        case (.boolean, .bool): return true
        case (.dict, .object): return true
        case (.list, .array): return true
        default: return false
        }
    }
}
