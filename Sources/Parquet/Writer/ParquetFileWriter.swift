/// Writes one Parquet file (parquet-format "File format": `PAR1` + row groups + Thrift footer + length + `PAR1`).
///
/// Rows arrive in batches via `write(_:)`; a row group is closed when it reaches `rowGroupMaxRows` rows or
/// about `rowGroupMaxBytes` encoded bytes, so memory stays around one row group. Not thread-safe.
public final class ParquetFileWriter {
    public let schema: ParquetSchema
    public let options: ParquetWriterOptions
    private let sink: ParquetSink
    private let columns: [ColumnChunkWriter]
    private var rowGroups: [RowGroupMetadata] = []
    private var rowsInGroup = 0
    private var totalRows: Int64 = 0
    private var closed = false
    private static let sliceRows = 1024

    /// Creates/truncates the file at `path` and writes the `PAR1` magic.
    /// Throws `ParquetError.io` if the file cannot be created, `.invalidArgument` for an invalid schema.
    public convenience init(path: String, schema: ParquetSchema, options: ParquetWriterOptions = ParquetWriterOptions()) throws {
        try self.init(sink: FileSink(path: path), schema: schema, options: options)
    }

    /// Writes to any sink (e.g. `ParquetMemorySink`). Throws like `init(path:…)`.
    public init(sink: ParquetSink, schema: ParquetSchema, options: ParquetWriterOptions = ParquetWriterOptions()) throws {
        try Self.validate(schema)
        self.schema = schema
        self.options = options
        self.sink = sink
        let compressor = PageCompressor(codec: options.compression, level: options.compressionLevel)
        columns = schema.columns.map { ColumnChunkWriter(column: $0, options: options, compressor: compressor) }
        // The first column's chunk is the first thing written for a row group, so it streams (see `streamSink`).
        columns.first?.streamSink = sink
        try Self.magic.withUnsafeBytes { try sink.write($0) }
    }

    static let magic: [UInt8] = Array("PAR1".utf8)

    private static func validate(_ schema: ParquetSchema) throws {
        var names = Set<String>()
        for c in schema.columns {
            guard !c.name.isEmpty, names.insert(c.name).inserted else {
                throw ParquetError.invalidArgument("column names must be non-empty and unique ('\(c.name)')")
            }
            if case .fixedLenByteArray(let n) = c.physicalType, n <= 0 {
                throw ParquetError.invalidArgument("column '\(c.name)': fixed length must be > 0")
            }
            let ok: Bool
            switch (c.logicalType, c.physicalType) {
            case (nil, _): ok = true
            case (.string?, .byteArray), (.json?, .byteArray), (.date?, .int32), (.timestamp?, .int64): ok = true
            case (.integer(let b, _)?, .int32): ok = [8, 16, 32].contains(b)
            case (.integer(let b, _)?, .int64): ok = b == 64
            case (.decimal(let p, let s)?, let t):
                let maxP: Int
                switch t {
                case .int32: maxP = 9
                case .int64: maxP = 18
                case .fixedLenByteArray(let n): maxP = Int((Double(8 * n - 1) * 0.30102999566398).rounded(.down))
                case .byteArray: maxP = Int.max
                default: maxP = 0
                }
                ok = p >= 1 && p <= maxP && s >= 0 && s <= p
            default: ok = false
            }
            guard ok else {
                throw ParquetError.invalidArgument("column '\(c.name)': logical type \(String(describing: c.logicalType)) invalid for \(c.physicalType)")
            }
        }
    }

    /// Appends one batch: `columns[i]` holds column i's values (schema order); all must have the same row count.
    /// Throws `.invalidArgument` (nothing is written) on count/type mismatch or nulls in required columns,
    /// `.io`/`.compression` on failures while flushing a row group, `.closed` after `close()`.
    public func write(_ batch: [ColumnValues]) throws {
        guard !closed else { throw ParquetError.closed }
        guard batch.count == columns.count else {
            throw ParquetError.invalidArgument("batch has \(batch.count) columns, schema has \(columns.count)")
        }
        let rows = batch.first?.count ?? 0
        for (i, values) in batch.enumerated() {
            guard values.count == rows else {
                throw ParquetError.invalidArgument("column '\(schema.columns[i].name)' has \(values.count) rows, expected \(rows)")
            }
            try Self.check(values, for: schema.columns[i])
        }
        var offset = 0
        while offset < rows {
            let n = min(rows - offset, Self.sliceRows, options.rowGroupMaxRows - rowsInGroup)
            for (i, w) in columns.enumerated() {
                try w.append(batch[i], range: offset..<(offset + n))
            }
            offset += n
            rowsInGroup += n
            if rowsInGroup >= options.rowGroupMaxRows || columns.reduce(0, { $0 + $1.chunkEstimate }) >= options.rowGroupMaxBytes {
                try flushRowGroup()
            }
        }
    }

    /// Validates case/physical type, nulls and fixed lengths before anything is buffered.
    private static func check(_ values: ColumnValues, for c: ColumnDescriptor) throws {
        func noNulls<T>(_ a: [T?]) throws {
            if c.repetition == .required, let i = a.firstIndex(where: { $0 == nil }) {
                throw ParquetError.invalidArgument("null value in required column '\(c.name)' at row \(i)")
            }
        }
        switch (values, c.physicalType) {
        case (.boolean(let a), .boolean): try noNulls(a)
        case (.int32(let a), .int32): try noNulls(a)
        case (.int64(let a), .int64): try noNulls(a)
        case (.float(let a), .float): try noNulls(a)
        case (.double(let a), .double): try noNulls(a)
        case (.string(let a), .byteArray): try noNulls(a)
        case (.byteArray(let a), .byteArray): try noNulls(a)
        case (.fixedLenByteArray(let a), .fixedLenByteArray(let n)), (.byteArray(let a), .fixedLenByteArray(let n)):
            try noNulls(a)
            if let i = a.firstIndex(where: { $0 != nil && $0!.count != n }) {
                throw ParquetError.invalidArgument("column '\(c.name)' needs \(n)-byte values; row \(i) has \(a[i]?.count ?? 0)")
            }
        default:
            throw ParquetError.invalidArgument("column '\(c.name)' (\(c.physicalType)) cannot take \(values.kindName) values")
        }
    }

    private func flushRowGroup() throws {
        guard rowsInGroup > 0 else { return }
        var chunks: [ColumnChunkMetadata] = []
        for w in columns { chunks.append(try w.finishChunk(to: sink)) }
        rowGroups.append(RowGroupMetadata(columns: chunks, totalByteSize: chunks.reduce(0) { $0 + $1.totalUncompressedSize },
                                          numRows: Int64(rowsInGroup)))
        totalRows += Int64(rowsInGroup)
        rowsInGroup = 0
    }

    /// Flushes the last row group, writes the footer, fsyncs (if `options.fsync`) and closes the file.
    /// Throws `.io`/`.compression`; `.closed` if already closed.
    @discardableResult
    public func close() throws -> ParquetFileSummary {
        guard !closed else { throw ParquetError.closed }
        closed = true
        try flushRowGroup()
        let meta = ParquetFileMetadata(
            version: 2, schema: schema, numRows: totalRows, rowGroups: rowGroups,
            keyValueMetadata: options.keyValueMetadata.map { ParquetKeyValue(key: $0.0, value: $0.1) },
            createdBy: options.createdBy, hasTypeDefinedColumnOrder: true)
        var footer = MetadataEncoder.encode(meta)
        let len = UInt32(footer.count)
        PlainEncoding.append(len, to: &footer)
        footer.append(contentsOf: Self.magic)
        try footer.withUnsafeBytes { try sink.write($0) }
        let size = sink.position
        try sink.finish(sync: options.fsync)
        return ParquetFileSummary(rowCount: totalRows, fileBytes: size, rowGroupCount: rowGroups.count)
    }
}
