import Iceberg

/// The Iceberg schema of a lake table. On a new table column i is field id i + 1; on an existing one each column
/// keeps the id of the table's field of the same name and a column the table lacks gets a new id
/// (`SchemaEvolution`). STRING and JSON columns are `string`, INT64 `long`, INT32 `int`, DOUBLE `double`, BOOLEAN
/// `boolean`, timestamps `timestamptz` (microseconds, UTC).
enum IcebergSchemaMapping {
    static func schema(of columns: [LakeColumn]) -> IcebergSchema {
        IcebergSchema(fields: columns.enumerated().map { i, column in
            IcebergField(id: Int32(i + 1), name: column.name, required: column.required, type: type(of: column.kind))
        })
    }

    /// The writer's schema for `columns` on `table` (nil: a new table): the fields in column order, with the ids
    /// the data files carry.
    /// - Throws: `ConfigError` (key `schema.file`) naming the table, the column and both types when a column's type
    ///   changed in a way Iceberg does not allow.
    static func writerSchema(of columns: [LakeColumn], table: TableMetadata?, tableName: String) throws -> IcebergSchema {
        let fresh = schema(of: columns)
        guard let table, let current = table.currentSchema else { return fresh }
        do {
            let result = try SchemaEvolution.evolve(current, lastColumnID: table.lastColumnID, columns: fresh.fields)
            return IcebergSchema(fields: zip(fresh.fields, result.columnIDs).map { field, id in
                IcebergField(id: id, name: field.name, required: field.required, type: field.type)
            })
        } catch {
            throw ConfigError(key: "schema.file",
                              message: "the Iceberg table \(tableName) has column '\(error.column)' of type \(error.tableType), the Weir schema "
                                + "makes it \(error.writerType); Iceberg does not allow that change (only int → long and float → double widen)",
                              fix: "keep the field's type in the schema as it was, land the new type under a new field name, "
                                + "or set lake.iceberg.table to a new table")
        }
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
