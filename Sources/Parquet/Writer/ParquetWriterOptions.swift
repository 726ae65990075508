/// Writer configuration. Sizes in bytes; rows in rows.
public struct ParquetWriterOptions: Sendable {
    /// Page compression. Default `.zstd` (see docs/PARQUET.md).
    public var compression: CompressionCodec
    /// Codec level (ZSTD default 1, GZIP default 6); nil = codec default.
    public var compressionLevel: Int32?
    /// A row group is closed after this many rows. Default 1,000,000.
    public var rowGroupMaxRows: Int
    /// A row group is closed once its encoded size reaches this many bytes. Default 128 MiB.
    public var rowGroupMaxBytes: Int
    /// A data page is closed once its encoded (uncompressed) size reaches this many bytes. Default 1 MiB.
    public var pageMaxBytes: Int
    /// A data page is closed once it holds this many rows. Default 20,000 (Arrow's `max_rows_per_page`).
    public var pageMaxRows: Int
    /// Dictionary-encode non-boolean columns. Default true.
    public var dictionaryEnabled: Bool
    /// Per column chunk: when the PLAIN dictionary grows past this many bytes the column falls back to PLAIN. Default 1 MiB.
    public var dictionaryMaxBytes: Int
    /// `FileMetaData.created_by`, e.g. "weir version 0.1.0".
    public var createdBy: String
    /// `FileMetaData.key_value_metadata`, written in this order.
    public var keyValueMetadata: [(String, String)]
    /// fsync the file on `close()`. Default true.
    public var fsync: Bool

    public init(compression: CompressionCodec = .zstd, compressionLevel: Int32? = nil,
                rowGroupMaxRows: Int = 1_000_000, rowGroupMaxBytes: Int = 128 << 20,
                pageMaxBytes: Int = 1 << 20, pageMaxRows: Int = 20_000, dictionaryEnabled: Bool = true, dictionaryMaxBytes: Int = 1 << 20,
                createdBy: String = "weir", keyValueMetadata: [(String, String)] = [], fsync: Bool = true) {
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.rowGroupMaxRows = max(1, rowGroupMaxRows)
        self.rowGroupMaxBytes = max(1, rowGroupMaxBytes)
        self.pageMaxBytes = max(1, pageMaxBytes)
        self.pageMaxRows = max(1, pageMaxRows)
        self.dictionaryEnabled = dictionaryEnabled
        self.dictionaryMaxBytes = dictionaryMaxBytes
        self.createdBy = createdBy
        self.keyValueMetadata = keyValueMetadata
        self.fsync = fsync
    }
}

/// Result of `ParquetFileWriter.close()`.
public struct ParquetFileSummary: Sendable, Equatable {
    public let rowCount: Int64
    public let fileBytes: Int64
    public let rowGroupCount: Int
}
