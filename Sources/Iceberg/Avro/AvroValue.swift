/// A value to encode with an `AvroSchema`.
///
/// Records list their field values in schema order; a union value names its branch by index; a `keyValueMap`
/// is given as its pairs.
public indirect enum AvroValue: Sendable, Equatable {
    case null
    case boolean(Bool)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    case bytes([UInt8])
    case string(String)
    case fixed([UInt8])
    case record([AvroValue])
    case array([AvroValue])
    case pairs([(AvroValue, AvroValue)])
    case union(Int, AvroValue)

    /// An optional value for `AvroSchema.optional`: branch 0 (null) when `value` is nil, else branch 1.
    public static func optional(_ value: AvroValue?) -> AvroValue {
        value.map { .union(1, $0) } ?? .union(0, .null)
    }

    public static func == (a: AvroValue, b: AvroValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.boolean(let x), .boolean(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.long(let x), .long(let y)): return x == y
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.bytes(let x), .bytes(let y)), (.fixed(let x), .fixed(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.record(let x), .record(let y)), (.array(let x), .array(let y)): return x == y
        case (.pairs(let x), .pairs(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.union(let i, let x), .union(let j, let y)): return i == j && x == y
        default: return false
        }
    }
}

/// A value that does not fit its schema (a programming error in the caller, reported with the path).
public struct AvroError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "avro: \(message)" }
}
