/// Reads a Parquet file's footer from its last bytes, for a reader that fetches byte ranges (an object store's
/// ranged `GET`) instead of the whole file: the file ends with the footer (Thrift `FileMetaData`), its length as
/// a little-endian UInt32, and the magic `PAR1`.
public enum ParquetFooter {
    /// The bytes after the footer: its length (4) and the magic (4).
    public static let trailerBytes = 8

    /// How many bytes at the end of a file of `fileSize` bytes hold the footer and its trailer, given `tail` (the
    /// file's last bytes, at least `trailerBytes` of them).
    /// - Throws: `ParquetError.corrupt` when the file is too short, the magic is missing or the length does not fit.
    public static func tailLength(tail: [UInt8], fileSize: Int64, name: String) throws -> Int {
        guard fileSize >= 12, tail.count >= trailerBytes else {
            throw ParquetError.corrupt("\(name): \(fileSize) bytes is too short for a Parquet file")
        }
        guard Array(tail.suffix(4)) == Array("PAR1".utf8) else {
            throw ParquetError.corrupt("\(name): missing PAR1 magic at end (truncated, or not a Parquet file)")
        }
        let l = tail.suffix(8)
        let len = Int(l[l.startIndex]) | Int(l[l.startIndex + 1]) << 8 | Int(l[l.startIndex + 2]) << 16 | Int(l[l.startIndex + 3]) << 24
        guard len > 0, Int64(len) <= fileSize - 12 else {
            throw ParquetError.corrupt("\(name): footer length \(len) does not fit in \(fileSize)-byte file")
        }
        return len + trailerBytes
    }

    /// Decodes the footer from `tail`, the file's last bytes (at least `tailLength` of them).
    /// - Throws: `ParquetError.corrupt` for a malformed footer, `.unsupported` for nested schemas.
    public static func decode(tail: [UInt8], fileSize: Int64, name: String) throws -> ParquetFileMetadata {
        let length = try tailLength(tail: tail, fileSize: fileSize, name: name)
        guard tail.count >= length else {
            throw ParquetError.invalidArgument("\(name): \(tail.count) tail bytes given, the footer needs \(length)")
        }
        let footer = Array(tail[(tail.count - length)..<(tail.count - trailerBytes)])
        let metadata = try footer.withUnsafeBytes { try MetadataDecoder.decode($0) }
        let sum = metadata.rowGroups.reduce(Int64(0)) { $0 + $1.numRows }
        guard sum == metadata.numRows else {
            throw ParquetError.corrupt("\(name): row groups hold \(sum) rows, footer says \(metadata.numRows)")
        }
        return metadata
    }
}
