/// An Avro schema (Avro 1.11 specification, "Schema Declaration") with the attributes Apache Iceberg adds:
/// `field-id` on record fields, `element-id` on arrays, and `logicalType: map` on arrays of key/value records
/// (Iceberg's encoding of maps whose keys are not strings).
///
/// Only the types Iceberg's manifests use are modelled. `json` renders the schema as written into a file's
/// `avro.schema` metadata, keys in a fixed order so that output is reproducible.
public indirect enum AvroSchema: Sendable, Equatable {
    case null, boolean, int, long, float, double, bytes, string
    /// An `int` annotated `logicalType: date` (days since 1970-01-01); values are `.int`.
    case date
    /// A named fixed-size byte sequence.
    case fixed(name: String, size: Int)
    /// A named record of fields, encoded in order.
    case record(name: String, fields: [AvroField])
    /// An array; `elementID` is Iceberg's `element-id`.
    case array(items: AvroSchema, elementID: Int32?)
    /// An Iceberg map: an array of records `{key, value}` with `logicalType: map`. The key and value field ids
    /// are Iceberg's `key-id` and `value-id`.
    case keyValueMap(recordName: String, key: AvroSchema, keyID: Int32, value: AvroSchema, valueID: Int32)
    /// A union; values name their branch by index.
    case union([AvroSchema])

    /// `["null", schema]`, Iceberg's optional field.
    public static func optional(_ schema: AvroSchema) -> AvroSchema { .union([.null, schema]) }

    /// The schema as JSON text.
    public var json: String {
        switch self {
        case .null: return "\"null\""
        case .boolean: return "\"boolean\""
        case .int: return "\"int\""
        case .date: return "{\"type\":\"int\",\"logicalType\":\"date\"}"
        case .long: return "\"long\""
        case .float: return "\"float\""
        case .double: return "\"double\""
        case .bytes: return "\"bytes\""
        case .string: return "\"string\""
        case .fixed(let name, let size): return "{\"type\":\"fixed\",\"name\":\(JSONText.quote(name)),\"size\":\(size)}"
        case .record(let name, let fields):
            return "{\"type\":\"record\",\"name\":\(JSONText.quote(name)),\"fields\":[" + fields.map(\.json).joined(separator: ",") + "]}"
        case .array(let items, let elementID):
            return "{\"type\":\"array\",\"items\":\(items.json)" + (elementID.map { ",\"element-id\":\($0)" } ?? "") + "}"
        case .keyValueMap(let recordName, let key, let keyID, let value, let valueID):
            let record = AvroSchema.record(name: recordName, fields: [
                AvroField(name: "key", type: key, fieldID: keyID), AvroField(name: "value", type: value, fieldID: valueID),
            ])
            return "{\"type\":\"array\",\"items\":\(record.json),\"logicalType\":\"map\"}"
        case .union(let branches): return "[" + branches.map(\.json).joined(separator: ",") + "]"
        }
    }
}

/// A record field with Iceberg's `field-id`.
public struct AvroField: Sendable, Equatable {
    public let name: String
    public let type: AvroSchema
    /// Iceberg's `field-id`; nil writes none.
    public let fieldID: Int32?
    /// Written as the field's `default`; only `null` is supported (for optional fields).
    public let defaultsToNull: Bool

    public init(name: String, type: AvroSchema, fieldID: Int32? = nil, defaultsToNull: Bool = false) {
        self.name = name
        self.type = type
        self.fieldID = fieldID
        self.defaultsToNull = defaultsToNull
    }

    var json: String {
        "{\"name\":\(JSONText.quote(name)),\"type\":\(type.json)" + (defaultsToNull ? ",\"default\":null" : "")
            + (fieldID.map { ",\"field-id\":\($0)" } ?? "") + "}"
    }
}
