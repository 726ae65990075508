#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a flat Parquet file (parquet-format "File format"). The file is read into memory once;
/// the footer is decoded in `init`, column data on demand per row group.
/// Supports PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY, RLE booleans, data pages V1 and V2, and the
/// UNCOMPRESSED/SNAPPY/GZIP/ZSTD codecs. Not thread-safe.
public final class ParquetFileReader: Sendable {
    private let bytes: [UInt8]
    /// The decoded footer.
    public let metadata: ParquetFileMetadata
    /// Leaf columns (schema order).
    public var schema: ParquetSchema { metadata.schema }
    /// `FileMetaData.num_rows`.
    public var rowCount: Int64 { metadata.numRows }
    public var rowGroupCount: Int { metadata.rowGroups.count }

    /// Opens and validates `path`. Throws `.io` if unreadable, `.corrupt` if not a well-formed Parquet file
    /// (bad magic, truncated footer, malformed metadata), `.unsupported` for nested schemas.
    public convenience init(path: String) throws {
        try self.init(bytes: try Self.readFile(path), name: path)
    }

    /// Parses an in-memory file (see `init(path:)` for errors).
    public init(bytes: [UInt8], name: String = "<memory>") throws {
        self.bytes = bytes
        guard bytes.count >= 12 else { throw ParquetError.corrupt("\(name): \(bytes.count) bytes is too short for a Parquet file") }
        let magic: [UInt8] = Array("PAR1".utf8)
        guard Array(bytes[0..<4]) == magic else { throw ParquetError.corrupt("\(name): missing PAR1 magic at start") }
        guard Array(bytes[(bytes.count - 4)...]) == magic else { throw ParquetError.corrupt("\(name): missing PAR1 magic at end (truncated?)") }
        let len = bytes.withUnsafeBytes { Int(PlainEncoding.load(UInt32.self, $0, bytes.count - 8)) }
        guard len > 0, len <= bytes.count - 12 else {
            throw ParquetError.corrupt("\(name): footer length \(len) does not fit in \(bytes.count)-byte file")
        }
        let footerStart = bytes.count - 8 - len
        metadata = try bytes.withUnsafeBytes { p in
            try MetadataDecoder.decode(UnsafeRawBufferPointer(rebasing: p[footerStart..<(bytes.count - 8)]))
        }
        let sum = metadata.rowGroups.reduce(Int64(0)) { $0 + $1.numRows }
        guard sum == metadata.numRows else {
            throw ParquetError.corrupt("\(name): row groups hold \(sum) rows, footer says \(metadata.numRows)")
        }
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ParquetError.io("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ParquetError.io("stat \(path): \(String(cString: strerror(errno)))") }
        let size = Int(st.st_size)
        var out = [UInt8](repeating: 0, count: size)
        var off = 0
        try out.withUnsafeMutableBytes { p in
            while off < size {
                let n = read(fd, p.baseAddress! + off, size - off)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw ParquetError.io("read \(path): \(n < 0 ? String(cString: strerror(errno)) : "unexpected end of file")") }
                off += n
            }
        }
        return out
    }

    /// Decodes row group `index` (0-based): one `ColumnValues` per schema column, each with the group's row count.
    /// Throws `.invalidArgument` for a bad index, `.corrupt`/`.unsupported` for bad or unsupported data.
    public func readRowGroup(_ index: Int) throws -> [ColumnValues] {
        guard index >= 0, index < metadata.rowGroups.count else {
            throw ParquetError.invalidArgument("row group \(index) out of range (file has \(metadata.rowGroups.count))")
        }
        let rg = metadata.rowGroups[index]
        guard rg.numRows >= 0, rg.numRows <= Int64(Int32.max) * 64 else { throw ParquetError.corrupt("row group \(index): bad row count \(rg.numRows)") }
        return try bytes.withUnsafeBytes { p in
            try schema.columns.enumerated().map { i, col in
                try ColumnChunkReader(file: p, column: col, meta: rg.columns[i], rowCount: Int(rg.numRows),
                                      context: "row group \(index) column '\(col.name)'").read()
            }
        }
    }

    /// Decodes only the columns at `columns` (schema indexes) of row group `index`, in that order; cheaper than
    /// `readRowGroup(_:)` when a reader needs a few columns. Throws like `readRowGroup(_:)`, and
    /// `.invalidArgument` for a bad column index.
    public func readRowGroup(_ index: Int, columns: [Int]) throws -> [ColumnValues] {
        guard index >= 0, index < metadata.rowGroups.count else {
            throw ParquetError.invalidArgument("row group \(index) out of range (file has \(metadata.rowGroups.count))")
        }
        let rg = metadata.rowGroups[index]
        return try bytes.withUnsafeBytes { p in
            try columns.map { i in
                guard i >= 0, i < schema.columns.count else { throw ParquetError.invalidArgument("column \(i) out of range") }
                let col = schema.columns[i]
                return try ColumnChunkReader(file: p, column: col, meta: rg.columns[i], rowCount: Int(rg.numRows),
                                             context: "row group \(index) column '\(col.name)'").read()
            }
        }
    }

    /// Decodes all row groups and concatenates them per column.
    public func readAll() throws -> [ColumnValues] {
        var result = schema.columns.map { Self.empty(for: $0) }
        for g in 0..<metadata.rowGroups.count {
            let cols = try readRowGroup(g)
            for i in cols.indices { result[i] = result[i].appending(cols[i]) }
        }
        return result
    }

    static func empty(for c: ColumnDescriptor) -> ColumnValues {
        switch c.physicalType {
        case .boolean: return .boolean([])
        case .int32: return .int32([])
        case .int64: return .int64([])
        case .float: return .float([])
        case .double: return .double([])
        case .fixedLenByteArray: return .fixedLenByteArray([])
        case .byteArray: return (c.logicalType == .string || c.logicalType == .json) ? .string([]) : .byteArray([])
        }
    }
}
