import Parquet

/// Reads Parquet objects through `Storage`: a footer by ranged reads (the day-two commands on object storage read
/// no more than they need), or a whole object for its row groups.
public enum ParquetObject {
    /// The first ranged read takes this many bytes from the end, which holds the footer of every lake file Weir
    /// writes; a longer footer costs a second read.
    static let tailGuess: Int64 = 64 << 10

    /// The footer of the Parquet object `name`, and the object's size in bytes.
    /// - Throws: `StorageError.notFound` when there is no such object; `ParquetError.corrupt` when it is not a
    ///   Parquet file (a compaction placeholder, a truncated file); the storage's error.
    public static func footer(in storage: Storage, name: String) throws -> (metadata: ParquetFileMetadata, size: Int64) {
        guard let size = try storage.info(name)?.size else { throw StorageError(.notFound, "\(name) does not exist") }
        let start = max(0, size - tailGuess)
        var tail = try storage.read(name, range: start..<size)
        let needed = Int64(try ParquetFooter.tailLength(tail: tail, fileSize: size, name: name))
        if needed > Int64(tail.count) { tail = try storage.read(name, range: (size - needed)..<size) }
        return (try ParquetFooter.decode(tail: tail, fileSize: size, name: name), size)
    }

    /// A reader over the whole object `name` (its bytes are held in memory while the reader lives).
    /// - Throws: `StorageError.notFound` when there is no such object; `ParquetError` when it is not a valid file.
    public static func reader(in storage: Storage, name: String) throws -> ParquetFileReader {
        guard let bytes = try storage.get(name) else { throw StorageError(.notFound, "\(name) does not exist") }
        return try ParquetFileReader(bytes: bytes, name: name)
    }
}
