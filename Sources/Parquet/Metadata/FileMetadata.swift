/// Column-chunk statistics (parquet.thrift `Statistics`). Byte values are PLAIN-encoded physical values
/// (little-endian numbers, raw bytes for byte arrays, no length prefix).
public struct ColumnStatistics: Sendable, Equatable {
    /// `min_value` / `max_value` (fields 6/5): ordered by the column's sort order.
    public var minValue: [UInt8]?
    public var maxValue: [UInt8]?
    /// Deprecated `min` / `max` (fields 2/1): written only where signed ordering is correct.
    public var legacyMin: [UInt8]?
    public var legacyMax: [UInt8]?
    public var nullCount: Int64?
    public var distinctCount: Int64?
    public init(minValue: [UInt8]? = nil, maxValue: [UInt8]? = nil, legacyMin: [UInt8]? = nil,
                legacyMax: [UInt8]? = nil, nullCount: Int64? = nil, distinctCount: Int64? = nil) {
        self.minValue = minValue; self.maxValue = maxValue; self.legacyMin = legacyMin
        self.legacyMax = legacyMax; self.nullCount = nullCount; self.distinctCount = distinctCount
    }
}

/// Metadata of one column chunk (parquet.thrift `ColumnChunk` + `ColumnMetaData`). Offsets/sizes in bytes.
public struct ColumnChunkMetadata: Sendable, Equatable {
    public var path: [String]
    public var physicalTypeValue: Int32
    public var codec: CompressionCodec?
    /// Raw thrift codec value (kept for unsupported codecs, e.g. 4 = BROTLI).
    public var codecValue: Int32
    public var encodings: [ParquetEncoding]
    public var numValues: Int64
    public var totalUncompressedSize: Int64
    public var totalCompressedSize: Int64
    public var dataPageOffset: Int64
    public var dictionaryPageOffset: Int64?
    public var statistics: ColumnStatistics?
}

/// Metadata of one row group (parquet.thrift `RowGroup`).
public struct RowGroupMetadata: Sendable, Equatable {
    public var columns: [ColumnChunkMetadata]
    /// Sum of uncompressed column sizes, bytes.
    public var totalByteSize: Int64
    public var numRows: Int64
}

/// A key/value pair of file metadata (parquet.thrift `KeyValue`).
public struct ParquetKeyValue: Sendable, Equatable {
    public var key: String
    public var value: String?
    public init(key: String, value: String?) { self.key = key; self.value = value }
}

/// Decoded footer (parquet.thrift `FileMetaData`): everything `weir inspect` shows.
public struct ParquetFileMetadata: Sendable, Equatable {
    public var version: Int32
    public var schema: ParquetSchema
    public var numRows: Int64
    public var rowGroups: [RowGroupMetadata]
    public var keyValueMetadata: [ParquetKeyValue]
    public var createdBy: String?
    /// True when `column_orders` lists TYPE_ORDER for the columns.
    public var hasTypeDefinedColumnOrder: Bool
}
