/// The Cerberus 1.3 type names Weir supports in the `type` rule.
///
/// Deviation from Cerberus: `true`/`false` are only ever `boolean` (Cerberus also counts them
/// as `integer`, `float` and `number` because Python's `bool` subclasses `int`).
public enum CerberusType: String, Sendable, CaseIterable {
    case string, integer, float, number, boolean, dict, list

    /// Whether `value` is of this type. `float` accepts integers, as in Cerberus.
    public func matches(_ value: JSONValue) -> Bool { acceptedKinds & value.kindBit != 0 }

    /// The JSON kinds (`JSONValue.kindBit`) this type accepts: the one definition of what each type matches.
    var acceptedKinds: UInt8 {
        switch self {
        case .string: return JSONValue.Kind.string
        case .integer: return JSONValue.Kind.int | JSONValue.Kind.bigInt
        case .float, .number: return JSONValue.Kind.int | JSONValue.Kind.bigInt | JSONValue.Kind.double
        case .boolean: return JSONValue.Kind.bool
        case .dict: return JSONValue.Kind.object
        case .list: return JSONValue.Kind.array
        }
    }
}
