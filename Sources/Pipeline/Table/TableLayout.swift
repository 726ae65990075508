import EventSchema
import Parquet

/// The lake table's columns, derived once from the event schema and the table settings.
///
/// Schema type → column: `string` → STRING, `integer` → INT64, `float`/`number` → DOUBLE, `boolean` → BOOLEAN,
/// `dict`, `list` and multi-type fields → JSON text. The event-time field becomes TIMESTAMP(MICROS, UTC) (a nested
/// event-time field adds a column `event_ts`). Then `processing_ts`, `_extra` (unknown fields as JSON, when kept),
/// `_kafka_partition` and `_kafka_offset` (when lineage is on). A column is REQUIRED only when the schema makes
/// the field required and not nullable; everything else is OPTIONAL, and a missing value stays null.
public struct TableLayout: Sendable {
    public let columns: [LakeColumn]
    /// Names of the schema's top-level fields, for telling unknown fields apart.
    public let knownFields: Set<String>

    /// - Parameters:
    ///   - eventTimeField: the event-time field, dotted when nested (`event_time.field`).
    ///   - keepUnknownFields: add `_extra` when the schema allows unknown fields (`lake.unknown_fields: keep`).
    ///   - lineageColumns: add `_kafka_partition` and `_kafka_offset` (`lake.lineage`).
    public init(schema: EventSchema, eventTimeField: String, keepUnknownFields: Bool, lineageColumns: Bool) {
        var columns: [LakeColumn] = []
        let timeIsTopLevel = !eventTimeField.contains(".")
        for (name, rules) in schema.fields {
            if timeIsTopLevel && name == eventTimeField {
                columns.append(LakeColumn(name: name, kind: .timestampMicros, required: true, source: .eventTime))
                continue
            }
            let required = rules.required && !rules.nullable && rules.defaultValue == nil
            columns.append(LakeColumn(name: name, kind: Self.kind(of: rules.types), required: required, source: .field(name)))
        }
        if !timeIsTopLevel || !schema.fields.contains(where: { $0.name == eventTimeField }) {
            columns.append(LakeColumn(name: timeIsTopLevel ? eventTimeField : "event_ts", kind: .timestampMicros,
                                      required: true, source: .eventTime))
        }
        columns.append(LakeColumn(name: "processing_ts", kind: .timestampMicros, required: true, source: .processingTime))
        if keepUnknownFields && schema.allowUnknown {
            columns.append(LakeColumn(name: "_extra", kind: .json, required: false, source: .unknownFields))
        }
        if lineageColumns {
            columns.append(LakeColumn(name: "_kafka_partition", kind: .int32, required: true, source: .kafkaPartition))
            columns.append(LakeColumn(name: "_kafka_offset", kind: .int64, required: true, source: .kafkaOffset))
        }
        self.columns = columns
        knownFields = Set(schema.fields.map(\.name))
    }

    /// The column kind of a schema field with these allowed types.
    static func kind(of types: [CerberusType]) -> LakeColumn.Kind {
        let set = Set(types)
        switch set {
        case [.string]: return .string
        case [.integer]: return .int64
        case [.float], [.number], [.float, .integer], [.number, .integer], [.number, .float]: return .double
        case [.boolean]: return .boolean
        default: return .json
        }
    }

    /// The Parquet schema of the table's files.
    public var parquetSchema: ParquetSchema { ParquetSchema(columns: columns.map(\.descriptor)) }
}
