/// Matches a writer's columns with a table's current schema (table spec, "Schema Evolution"), by name, and gives
/// the schema the next commit must make current. Pure.
///
/// - A column the table has keeps its field id. Its type may widen the way the spec allows (`int` → `long`; the
///   spec's `float` → `double` does not arise, Weir writes no `float`); any other change is `IncompatibleTypeChange`. A required field becomes optional when
///   the writer's column is optional; an optional field stays optional.
/// - A column the table lacks is added as an optional field with the next id (`last-column-id` + 1, + 2, …), after
///   the existing fields.
/// - A field the writer no longer has stays in the schema, made optional: the writer's data files omit it and
///   readers read it as null; older files keep their values.
public enum SchemaEvolution {
    /// A column whose type changed in a way Iceberg does not allow.
    public struct IncompatibleTypeChange: Error, Sendable, Equatable {
        public let column: String
        public let tableType: IcebergType
        public let writerType: IcebergType
    }

    /// The result: the table schema's fields after the change, and the field id of each writer column (in order).
    public struct Result: Sendable, Equatable {
        public let fields: [IcebergField]
        public let columnIDs: [Int32]
    }

    /// - Parameters:
    ///   - current: the table's current schema.
    ///   - lastColumnID: the table's `last-column-id` (never reused, even for a dropped field).
    ///   - columns: the writer's columns in order (their `id`s are ignored).
    /// - Throws: `IncompatibleTypeChange` for the first column whose type cannot become the writer's.
    public static func evolve(_ current: IcebergSchema, lastColumnID: Int32, columns: [IcebergField]) throws(IncompatibleTypeChange) -> Result {
        var fields = current.fields
        var next = max(lastColumnID, current.lastColumnID)
        var ids: [Int32] = []
        let wanted = Set(columns.map(\.name))
        for i in fields.indices where !wanted.contains(fields[i].name) { fields[i].required = false }
        for column in columns {
            if let i = fields.firstIndex(where: { $0.name == column.name }) {
                let had = fields[i].type
                guard had == column.type || canPromote(had, to: column.type) else {
                    throw IncompatibleTypeChange(column: column.name, tableType: had, writerType: column.type)
                }
                fields[i].type = column.type
                fields[i].required = fields[i].required && column.required
                ids.append(fields[i].id)
            } else {
                next += 1
                fields.append(IcebergField(id: next, name: column.name, required: false, type: column.type))
                ids.append(next)
            }
        }
        return Result(fields: fields, columnIDs: ids)
    }

    /// The type promotions the spec allows for a field of an existing table (among the types Weir writes).
    public static func canPromote(_ from: IcebergType, to: IcebergType) -> Bool {
        from == .int && to == .long
    }
}
