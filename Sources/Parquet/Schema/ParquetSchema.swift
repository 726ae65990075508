/// One leaf column of a flat schema (parquet.thrift `SchemaElement` without children).
public struct ColumnDescriptor: Sendable, Equatable {
    public let name: String
    public let physicalType: PhysicalType
    public let logicalType: LogicalType?
    public let repetition: Repetition
    /// The column's `field_id` (SchemaElement field 9), nil when none is written. Table formats that resolve
    /// columns by id rather than by name (Apache Iceberg) need one on every column.
    public let fieldID: Int32?

    /// Creates a column. Throws nothing; compatibility of physical/logical type is checked by the writer.
    public init(name: String, physicalType: PhysicalType, logicalType: LogicalType? = nil, repetition: Repetition,
                fieldID: Int32? = nil) {
        self.name = name
        self.physicalType = physicalType
        self.logicalType = logicalType
        self.repetition = repetition
        self.fieldID = fieldID
    }

    /// This column with `field_id` set to `id`.
    public func withFieldID(_ id: Int32?) -> ColumnDescriptor {
        ColumnDescriptor(name: name, physicalType: physicalType, logicalType: logicalType, repetition: repetition, fieldID: id)
    }

    var isOptional: Bool { repetition == .optional }

    /// BYTE_ARRAY annotated STRING (UTF-8). Values: `.string`.
    public static func string(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .byteArray, logicalType: .string, repetition: optional ? .optional : .required)
    }
    /// BYTE_ARRAY annotated JSON (UTF-8 text). Values: `.string`.
    public static func json(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .byteArray, logicalType: .json, repetition: optional ? .optional : .required)
    }
    /// Raw BYTE_ARRAY. Values: `.byteArray`.
    public static func binary(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .byteArray, repetition: optional ? .optional : .required)
    }
    /// INT64 (signed 64-bit). Values: `.int64`.
    public static func int64(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .int64, repetition: optional ? .optional : .required)
    }
    /// INT32 (signed 32-bit). Values: `.int32`.
    public static func int32(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .int32, repetition: optional ? .optional : .required)
    }
    /// DOUBLE. Values: `.double`.
    public static func double(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .double, repetition: optional ? .optional : .required)
    }
    /// FLOAT. Values: `.float`.
    public static func float(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .float, repetition: optional ? .optional : .required)
    }
    /// BOOLEAN. Values: `.boolean`.
    public static func boolean(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .boolean, repetition: optional ? .optional : .required)
    }
    /// INT64 TIMESTAMP(isAdjustedToUTC=true, MICROS): microseconds since the Unix epoch. Values: `.int64`.
    public static func timestampMicros(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .int64, logicalType: .timestamp(unit: .micros, isAdjustedToUTC: true),
              repetition: optional ? .optional : .required)
    }
    /// INT64 TIMESTAMP(isAdjustedToUTC=true, MILLIS): milliseconds since the Unix epoch. Values: `.int64`.
    public static func timestampMillis(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .int64, logicalType: .timestamp(unit: .millis, isAdjustedToUTC: true),
              repetition: optional ? .optional : .required)
    }
    /// INT32 DATE: days since 1970-01-01. Values: `.int32`.
    public static func date(_ name: String, optional: Bool = false) -> ColumnDescriptor {
        .init(name: name, physicalType: .int32, logicalType: .date, repetition: optional ? .optional : .required)
    }
}

/// A flat Parquet schema: an ordered list of leaf columns under an implicit root.
public struct ParquetSchema: Sendable, Equatable {
    public let columns: [ColumnDescriptor]
    public init(columns: [ColumnDescriptor]) { self.columns = columns }
}
