/// An Iceberg table schema (table spec, "Schemas and Data Types"): a flat struct of primitive fields, each with a
/// table-unique id. Encoded as JSON in table metadata and in every manifest's `schema` metadata.
public struct IcebergSchema: Codable, Sendable, Equatable {
    public var type = "struct"
    /// `schema-id`.
    public var schemaID: Int32
    public var fields: [IcebergField]

    public init(schemaID: Int32 = 0, fields: [IcebergField]) {
        self.schemaID = schemaID
        self.fields = fields
    }

    /// The largest field id (`last-column-id`).
    public var lastColumnID: Int32 { fields.map(\.id).max() ?? 0 }

    public func field(id: Int32) -> IcebergField? { fields.first { $0.id == id } }

    enum CodingKeys: String, CodingKey {
        case type, schemaID = "schema-id", fields
    }
}

/// One field of a schema.
public struct IcebergField: Codable, Sendable, Equatable {
    public var id: Int32
    public var name: String
    public var required: Bool
    /// A primitive type name: `boolean`, `int`, `long`, `double`, `string`, `timestamptz`, `date`.
    public var type: IcebergType

    public init(id: Int32, name: String, required: Bool, type: IcebergType) {
        self.id = id
        self.name = name
        self.required = required
        self.type = type
    }
}

/// The primitive Iceberg types Weir writes.
public enum IcebergType: String, Codable, Sendable, Equatable {
    case boolean, int, long, double, string, date
    /// Microseconds since the epoch, UTC-adjusted (`timestamptz`).
    case timestamptz
}
