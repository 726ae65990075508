/// One column's values for a batch of rows; `nil` = null (only allowed for optional columns).
///
/// Case ↔ physical type: `.boolean`↔BOOLEAN, `.int32`↔INT32, `.int64`↔INT64, `.float`↔FLOAT,
/// `.double`↔DOUBLE, `.byteArray`/`.string`↔BYTE_ARRAY (`.string` is UTF-8), `.fixedLenByteArray`↔FIXED_LEN_BYTE_ARRAY.
/// The reader returns `.string` for STRING/JSON columns and `.byteArray` for other BYTE_ARRAY columns.
public enum ColumnValues: Sendable, Equatable {
    case boolean([Bool?])
    case int32([Int32?])
    case int64([Int64?])
    case float([Float?])
    case double([Double?])
    case byteArray([[UInt8]?])
    case string([String?])
    case fixedLenByteArray([[UInt8]?])

    /// Number of rows (including nulls).
    public var count: Int {
        switch self {
        case .boolean(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .float(let v): return v.count
        case .double(let v): return v.count
        case .byteArray(let v): return v.count
        case .string(let v): return v.count
        case .fixedLenByteArray(let v): return v.count
        }
    }

    /// Short name of the case, for error messages.
    var kindName: String {
        switch self {
        case .boolean: return "boolean"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float: return "float"
        case .double: return "double"
        case .byteArray: return "byteArray"
        case .string: return "string"
        case .fixedLenByteArray: return "fixedLenByteArray"
        }
    }

    /// Concatenates two batches of the same case (used by `readAll`).
    func appending(_ other: ColumnValues) -> ColumnValues {
        switch (self, other) {
        case (.boolean(let a), .boolean(let b)): return .boolean(a + b)
        case (.int32(let a), .int32(let b)): return .int32(a + b)
        case (.int64(let a), .int64(let b)): return .int64(a + b)
        case (.float(let a), .float(let b)): return .float(a + b)
        case (.double(let a), .double(let b)): return .double(a + b)
        case (.byteArray(let a), .byteArray(let b)): return .byteArray(a + b)
        case (.string(let a), .string(let b)): return .string(a + b)
        case (.fixedLenByteArray(let a), .fixedLenByteArray(let b)): return .fixedLenByteArray(a + b)
        default: return self
        }
    }
}
