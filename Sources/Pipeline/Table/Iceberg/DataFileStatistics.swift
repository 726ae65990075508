import Iceberg
import Parquet

/// Column statistics of one data file for its manifest entry, computed from the values written (pure): value
/// counts (nulls included, as the spec defines them), null counts, NaN counts for doubles, and lower/upper bounds
/// in the single-value encoding (NaN excluded; strings truncated to 16 code points, Iceberg's default metrics
/// mode). Values may come in several batches (the row groups of a compaction's output): the bounds are kept as
/// values and encoded (and truncated) once at the end, so they are those of the whole file.
struct DataFileStatistics {
    /// A column's smallest or largest value so far.
    enum Bound {
        case boolean(Bool), int(Int32), long(Int64), double(Double), string(String)

        var encoded: [UInt8] {
            switch self {
            case .boolean(let v): return SingleValue.boolean(v)
            case .int(let v): return SingleValue.int(v)
            case .long(let v): return SingleValue.long(v)
            case .double(let v): return SingleValue.double(v)
            case .string(let v): return SingleValue.truncatedLowerBound(v)
            }
        }

        func less(_ other: Bound) -> Bool {
            switch (self, other) {
            case (.boolean(let a), .boolean(let b)): return !a && b
            case (.int(let a), .int(let b)): return a < b
            case (.long(let a), .long(let b)): return a < b
            case (.double(let a), .double(let b)): return a < b
            case (.string(let a), .string(let b)): return DataFileStatistics.less(a, b)
            default: return false
            }
        }
    }

    struct Column {
        var values: Int64 = 0, nulls: Int64 = 0, nans: Int64?
        var low: Bound?, high: Bound?
    }

    private(set) var columns: [Int32: Column] = [:]

    /// Fills the statistics of `file` from `columns` (table order), whose field ids are `fields[i].id`.
    static func fill(_ file: inout DataFile, columns: [ColumnValues], fields: [IcebergField]) {
        var stats = DataFileStatistics()
        stats.add(columns, ids: fields.map(\.id))
        stats.write(into: &file)
    }

    /// Adds one batch of values; `ids[i]` is the field id of `columns[i]`.
    mutating func add(_ batch: [ColumnValues], ids: [Int32]) {
        for (values, id) in zip(batch, ids) {
            var c = columns[id] ?? Column()
            c.values += Int64(values.count)
            switch values {
            case .boolean(let v): Self.track(&c, v.map { $0.map(Bound.boolean) })
            case .int32(let v): Self.track(&c, v.map { $0.map(Bound.int) })
            case .int64(let v): Self.track(&c, v.map { $0.map(Bound.long) })
            case .double(let v):
                c.nans = (c.nans ?? 0) + Int64(v.reduce(0) { $0 + (($1?.isNaN ?? false) ? 1 : 0) })
                c.nulls += Int64(v.filter { $0 == nil }.count)
                Self.track(&c, v.compactMap { $0 }.filter { !$0.isNaN }.map { Bound.double($0) }, countNulls: false)
            case .string(let v): Self.track(&c, v.map { $0.map(Bound.string) })
            case .float, .byteArray, .fixedLenByteArray:
                c.nulls += Int64(values.count)  // not written by Weir's tables
            }
            columns[id] = c
        }
    }

    /// Writes the counts and bounds into `file`.
    func write(into file: inout DataFile) {
        for (id, c) in columns {
            file.valueCounts[id] = c.values
            file.nullValueCounts[id] = c.nulls
            if let nans = c.nans { file.nanValueCounts[id] = nans }
            if let low = c.low { file.lowerBounds[id] = low.encoded }
            switch c.high {
            case .string(let s)?: if let bound = SingleValue.truncatedUpperBound(s) { file.upperBounds[id] = bound }
            case let high?: file.upperBounds[id] = high.encoded
            case nil: break
            }
        }
    }

    /// Iceberg orders strings by their UTF-8 bytes (unsigned), which is code point order.
    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    private static func track(_ c: inout Column, _ values: [Bound?], countNulls: Bool = true) {
        for v in values {
            guard let v else { if countNulls { c.nulls += 1 }; continue }
            if c.low.map({ v.less($0) }) ?? true { c.low = v }
            if c.high.map({ $0.less(v) }) ?? true { c.high = v }
        }
    }
}
