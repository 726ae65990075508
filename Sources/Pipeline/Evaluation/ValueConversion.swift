import EventSchema

/// Converts validated JSON values into typed cells. A missing value or JSON null becomes a null cell.
enum ValueConversion {
    /// The cell for `value` in a column of `kind`; nil when it cannot be represented (an integer beyond Int64).
    static func cell(_ value: JSONValue?, kind: LakeColumn.Kind) -> RowBuffer.Cell? {
        switch kind {
        case .string:
            if case .string(let s)? = value { return .string(s) }
            return .string(value.flatMap { $0 == .null ? nil : JSONWriter.string($0) })
        case .json:
            guard let value, value != .null else { return .string(nil) }
            return .string(JSONWriter.string(value))
        case .int64, .timestampMicros:
            switch value {
            case .int(let n)?: return .int64(n)
            case nil, .null?: return .int64(nil)
            default: return nil
            }
        case .int32:
            if case .int(let n)? = value, let v = Int32(exactly: n) { return .int32(v) }
            return value == nil || value == .null ? .int32(nil) : nil
        case .double:
            switch value {
            case .double(let d)?: return .double(d)
            case .int(let n)?: return .double(Double(n))
            case .bigInt(let digits)?: return Double(digits).map { .double($0) }
            default: return .double(nil)
            }
        case .boolean:
            if case .bool(let b)? = value { return .boolean(b) }
            return .boolean(nil)
        }
    }
}
