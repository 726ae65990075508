import EventSchema
import Parquet

/// Recomputes dedup keys from a lake file's columns, the way `RecordEvaluator` computed them from the event:
/// each `dedup.key` field's value, read from its column (a nested field from its top-level field's JSON column,
/// an unknown field from `_extra`), hashed through `DedupKeyHasher.combineField`.
///
/// Values come back as the event carried them for STRING, INT64, BOOLEAN and JSON columns. A float field keyed
/// with an integral value (`5` stored as DOUBLE 5.0) hashes as `5.0`; keying on floats is not supported here.
struct LakeKeyColumns {
    /// How each key field is found: a column index (into `columns`) and the path below it.
    private let fields: [(column: Int, path: [String])]
    /// The schema indexes of the columns to read, in the order `key(row:values:)` expects them.
    let columns: [Int]
    private let descriptors: [ColumnDescriptor]

    /// nil for `dedup.key: none` and `content_hash` (nothing to restore).
    /// - Throws: `RebuildError` when a key field is in no column of the file.
    init?(spec: DedupKeySpec, schema: ParquetSchema, file: String) throws {
        guard case .fields(let names) = spec else { return nil }
        let all = schema.columns.map(\.name)
        var columns: [Int] = []
        var fields: [(Int, [String])] = []
        for name in names {
            let path = name.split(separator: ".").map(String.init)
            let schemaIndex: Int
            let rest: [String]
            if let direct = all.firstIndex(of: path[0]) {
                (schemaIndex, rest) = (direct, Array(path.dropFirst()))
            } else if let extra = all.firstIndex(of: "_extra") {
                (schemaIndex, rest) = (extra, path)
            } else {
                throw RebuildError("\(file) has no column for the dedup key field '\(name)' (fix: run with the dedup.key "
                    + "the lake was written with)")
            }
            if let logical = schema.columns[schemaIndex].logicalType, case .timestamp = logical {
                throw RebuildError("the dedup key field '\(name)' is the event time column of \(file), whose original text "
                    + "the lake does not keep, so its keys cannot be restored")
            }
            if !columns.contains(schemaIndex) { columns.append(schemaIndex) }
            fields.append((columns.firstIndex(of: schemaIndex)!, rest))
        }
        self.fields = fields
        self.columns = columns
        descriptors = columns.map { schema.columns[$0] }
    }

    /// The key of `row`, from `values` (the columns read, in `columns` order); nil when a field is missing or null.
    func key(row: Int, values: [ColumnValues]) -> DedupKey? {
        var hasher = DedupKeyHasher()
        for (column, path) in fields {
            guard hasher.combineField(value(values[column], descriptors[column], row: row, path: path)) else { return nil }
        }
        return hasher.finalize()
    }

    private func value(_ values: ColumnValues, _ descriptor: ColumnDescriptor, row: Int, path: [String]) -> JSONValue? {
        let top: JSONValue?
        switch values {
        case .string(let v):
            guard let text = v[row] else { return nil }
            if descriptor.logicalType == .json {
                top = try? StrictJSONDecoder().decode(Array(text.utf8))
            } else {
                top = .string(text)
            }
        case .int64(let v): top = v[row].map { .int($0) }
        case .int32(let v): top = v[row].map { .int(Int64($0)) }
        case .double(let v): top = v[row].map { .double($0) }
        case .boolean(let v): top = v[row].map { .bool($0) }
        default: top = nil
        }
        guard var current = top else { return nil }
        for key in path {
            guard case .object(let object) = current, let next = object[key] else { return nil }
            current = next
        }
        return current
    }
}
