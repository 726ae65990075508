/// A decoded JSON value that keeps everything Python's `json` module keeps.
///
/// - Integers and floats stay distinct: `5` is `.int(5)`, `5.0` and `1e2` are `.double`.
/// - Integers outside `Int64` are kept exactly as `.bigInt("<decimal digits>")` (with a leading `-` when negative).
/// - Object key order and full Unicode text are preserved (see ``JSONObject``).
/// - Non-finite doubles never occur: the decoder rejects `NaN`, `Infinity` and overflowing literals.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer literal outside `Int64`; the payload is its decimal digits, e.g. `"-123456789012345678901"`.
    case bigInt(String)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The object payload, or `nil` for any other case.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The string payload, or `nil` for any other case.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A numeric view for comparisons: ints, big ints and doubles (booleans are not numbers in Weir).
    public var numericValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .bigInt(let s): return Double(s)
        case .double(let d): return d
        default: return nil
        }
    }

    /// One bit per case but `null`, for type checks by mask (`CerberusType.acceptedKinds`).
    enum Kind {
        static let bool: UInt8 = 1, int: UInt8 = 2, bigInt: UInt8 = 4, double: UInt8 = 8
        static let string: UInt8 = 16, array: UInt8 = 32, object: UInt8 = 64
    }

    /// This value's `Kind` bit; 0 for `null`, which no type accepts.
    var kindBit: UInt8 {
        switch self {
        case .null: return 0
        case .bool: return Kind.bool
        case .int: return Kind.int
        case .bigInt: return Kind.bigInt
        case .double: return Kind.double
        case .string: return Kind.string
        case .array: return Kind.array
        case .object: return Kind.object
        }
    }

    /// A short name of the JSON kind, for messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .bigInt: return "integer"
        case .double: return "float"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
