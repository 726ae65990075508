import Foundation

/// The MD5 of a file range, read in bounded chunks (the file is never held in memory).
enum FileDigest {
    /// Chunk size of the read loop, in bytes.
    static let chunkSize = 1 << 20

    /// - Throws: ``S3Error`` of kind `.localFile` when the file cannot be opened or is shorter than the range.
    static func md5(of file: UploadBody.FileRange) throws -> [UInt8] {
        let reader = try FileRangeReader(file)
        defer { reader.close() }
        var digest = Digest(.md5)
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if count == 0 { break }
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
        }
        return digest.finish()
    }
}
