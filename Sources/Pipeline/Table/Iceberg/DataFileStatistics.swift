import Iceberg
import Parquet

/// Column statistics of one data file for its manifest entry, computed from the values written (pure): value
/// counts (nulls included, as the spec defines them), null counts, NaN counts for doubles, and lower/upper bounds
/// in the single-value encoding (NaN excluded; strings truncated to 16 code points, Iceberg's default metrics
/// mode).
enum DataFileStatistics {
    /// Fills the statistics of `file` from `columns` (table order), whose field ids are `fields[i].id`.
    static func fill(_ file: inout DataFile, columns: [ColumnValues], fields: [IcebergField]) {
        for (values, field) in zip(columns, fields) {
            let id = field.id
            file.valueCounts[id] = Int64(values.count)
            switch values {
            case .boolean(let v):
                record(&file, id, v, SingleValue.boolean) { !$0 && $1 }
            case .int32(let v):
                record(&file, id, v, SingleValue.int, <)
            case .int64(let v):
                record(&file, id, v, SingleValue.long, <)
            case .double(let v):
                file.nanValueCounts[id] = Int64(v.reduce(0) { $0 + (($1?.isNaN ?? false) ? 1 : 0) })
                record(&file, id, v.map { $0.flatMap { $0.isNaN ? nil : $0 } }, SingleValue.double, <, nulls: v.filter { $0 == nil }.count)
            case .string(let v):
                file.nullValueCounts[id] = Int64(v.filter { $0 == nil }.count)
                var low: String?, high: String?
                for case let s? in v {
                    if low.map({ Self.less(s, $0) }) ?? true { low = s }
                    if high.map({ Self.less($0, s) }) ?? true { high = s }
                }
                if let low { file.lowerBounds[id] = SingleValue.truncatedLowerBound(low) }
                if let high, let bound = SingleValue.truncatedUpperBound(high) { file.upperBounds[id] = bound }
            case .float, .byteArray, .fixedLenByteArray:
                file.nullValueCounts[id] = Int64(values.count)  // not written by Weir's tables
            }
        }
    }

    /// Iceberg orders strings by their UTF-8 bytes (unsigned), which is code point order.
    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    private static func record<T>(_ file: inout DataFile, _ id: Int32, _ values: [T?], _ encode: (T) -> [UInt8],
                                  _ less: (T, T) -> Bool, nulls: Int? = nil) {
        file.nullValueCounts[id] = Int64(nulls ?? values.filter { $0 == nil }.count)
        var low: T?, high: T?
        for case let v? in values {
            if low.map({ less(v, $0) }) ?? true { low = v }
            if high.map({ less($0, v) }) ?? true { high = v }
        }
        if let low { file.lowerBounds[id] = encode(low) }
        if let high { file.upperBounds[id] = encode(high) }
    }
}
