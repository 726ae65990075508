import Iceberg

/// The Iceberg schema of a lake table: column i is field id i + 1; STRING and JSON columns are `string`, INT64
/// `long`, INT32 `int`, DOUBLE `double`, BOOLEAN `boolean`, timestamps `timestamptz` (microseconds, UTC).
enum IcebergSchemaMapping {
    static func schema(of columns: [LakeColumn]) -> IcebergSchema {
        IcebergSchema(fields: columns.enumerated().map { i, column in
            IcebergField(id: Int32(i + 1), name: column.name, required: column.required, type: type(of: column.kind))
        })
    }

    static func type(of kind: LakeColumn.Kind) -> IcebergType {
        switch kind {
        case .string, .json: return .string
        case .int64: return .long
        case .int32: return .int
        case .double: return .double
        case .boolean: return .boolean
        case .timestampMicros: return .timestamptz
        }
    }
}
