// Parquet type system (spec: parquet-format `parquet.thrift` Type, LogicalType, FieldRepetitionType).

/// Physical (storage) type of a column (parquet.thrift `Type`).
/// `fixedLenByteArray(length:)` carries the byte length written as `SchemaElement.type_length`.
public enum PhysicalType: Sendable, Equatable {
    case boolean, int32, int64, float, double, byteArray
    case fixedLenByteArray(length: Int)

    /// Thrift `Type` enum value.
    var thriftValue: Int32 {
        switch self {
        case .boolean: return 0
        case .int32: return 1
        case .int64: return 2
        case .float: return 4
        case .double: return 5
        case .byteArray: return 6
        case .fixedLenByteArray: return 7
        }
    }
}

/// Time unit of a TIMESTAMP logical type (parquet.thrift `TimeUnit` union; NANOS is not supported).
public enum TimeUnit: Sendable, Equatable { case millis, micros }

/// Logical (semantic) type annotation (parquet.thrift `LogicalType` union).
/// - `string`/`json`: BYTE_ARRAY holding UTF-8.
/// - `date`: INT32 days since 1970-01-01.
/// - `timestamp`: INT64 in `unit` since the Unix epoch.
/// - `integer`: INT32 (bitWidth 8/16/32) or INT64 (bitWidth 64).
/// - `decimal`: INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY holding the big-endian / little-endian
///   unscaled value (big-endian two's complement for byte arrays).
public enum LogicalType: Sendable, Equatable {
    case string, json, date
    case timestamp(unit: TimeUnit, isAdjustedToUTC: Bool)
    case integer(bitWidth: Int, signed: Bool)
    case decimal(precision: Int, scale: Int)

    /// Legacy `ConvertedType` value, where one exists (parquet.thrift `ConvertedType`).
    var convertedType: Int32? {
        switch self {
        case .string: return 0
        case .json: return 19
        case .date: return 6
        case .decimal: return 5
        case .timestamp(let unit, let utc):
            guard utc else { return nil }  // legacy TIMESTAMP_* implies UTC-adjusted
            return unit == .millis ? 9 : 10
        case .integer(let bits, let signed):
            let base: Int32 = signed ? 15 : 11
            switch bits {
            case 8: return base
            case 16: return base + 1
            case 32: return base + 2
            case 64: return base + 3
            default: return nil
            }
        }
    }

    /// True when min/max statistics must compare as unsigned integers.
    var isUnsignedInteger: Bool {
        if case .integer(_, let signed) = self { return !signed }
        return false
    }
}

/// Column repetition (parquet.thrift `FieldRepetitionType`; REPEATED is not supported).
public enum Repetition: Sendable, Equatable { case required, optional }

/// Compression codec for pages (parquet.thrift `CompressionCodec`).
public enum CompressionCodec: Sendable, Equatable {
    case uncompressed, snappy, gzip, zstd

    var thriftValue: Int32 {
        switch self {
        case .uncompressed: return 0
        case .snappy: return 1
        case .gzip: return 2
        case .zstd: return 6
        }
    }

    init?(thriftValue: Int32) {
        switch thriftValue {
        case 0: self = .uncompressed
        case 1: self = .snappy
        case 2: self = .gzip
        case 6: self = .zstd
        default: return nil
        }
    }
}

/// Page/column encodings (parquet.thrift `Encoding`); raw values preserve unknown encodings.
public struct ParquetEncoding: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let plain = ParquetEncoding(rawValue: 0)
    public static let plainDictionary = ParquetEncoding(rawValue: 2)
    public static let rle = ParquetEncoding(rawValue: 3)
    public static let bitPacked = ParquetEncoding(rawValue: 4)
    public static let deltaBinaryPacked = ParquetEncoding(rawValue: 5)
    public static let deltaLengthByteArray = ParquetEncoding(rawValue: 6)
    public static let deltaByteArray = ParquetEncoding(rawValue: 7)
    public static let rleDictionary = ParquetEncoding(rawValue: 8)
    public static let byteStreamSplit = ParquetEncoding(rawValue: 9)

    public var description: String {
        let names = [0: "PLAIN", 2: "PLAIN_DICTIONARY", 3: "RLE", 4: "BIT_PACKED", 5: "DELTA_BINARY_PACKED",
                     6: "DELTA_LENGTH_BYTE_ARRAY", 7: "DELTA_BYTE_ARRAY", 8: "RLE_DICTIONARY", 9: "BYTE_STREAM_SPLIT"]
        return names[Int(rawValue)] ?? "ENCODING(\(rawValue))"
    }
}
