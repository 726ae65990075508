import Parquet

/// One column of a lake table and where its values come from.
public struct LakeColumn: Sendable, Equatable {
    /// The physical storage of the column in a `RowBuffer`.
    public enum Kind: Sendable, Equatable { case string, json, int64, int32, double, boolean, timestampMicros }
    /// Where a row's value comes from.
    public enum Source: Sendable, Equatable {
        case field(String), eventTime, processingTime, kafkaPartition, kafkaOffset, unknownFields
    }

    public let name: String
    public let kind: Kind
    public let required: Bool
    public let source: Source

    public init(name: String, kind: Kind, required: Bool, source: Source) {
        self.name = name
        self.kind = kind
        self.required = required
        self.source = source
    }

    /// The Parquet column: STRING and JSON as BYTE_ARRAY, integers as INT64/INT32, floats as DOUBLE,
    /// times as INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true).
    public var descriptor: ColumnDescriptor {
        let repetition: Repetition = required ? .required : .optional
        switch kind {
        case .string: return ColumnDescriptor(name: name, physicalType: .byteArray, logicalType: .string, repetition: repetition)
        case .json: return ColumnDescriptor(name: name, physicalType: .byteArray, logicalType: .json, repetition: repetition)
        case .int64: return ColumnDescriptor(name: name, physicalType: .int64, logicalType: nil, repetition: repetition)
        case .int32: return ColumnDescriptor(name: name, physicalType: .int32, logicalType: nil, repetition: repetition)
        case .double: return ColumnDescriptor(name: name, physicalType: .double, logicalType: nil, repetition: repetition)
        case .boolean: return ColumnDescriptor(name: name, physicalType: .boolean, logicalType: nil, repetition: repetition)
        case .timestampMicros:
            return ColumnDescriptor(name: name, physicalType: .int64, logicalType: .timestamp(unit: .micros, isAdjustedToUTC: true),
                                    repetition: repetition)
        }
    }
}
