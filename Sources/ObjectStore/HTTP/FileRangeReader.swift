import Foundation

/// Reads a byte range of a file with `pread`, so several readers of one file never share a position.
final class FileRangeReader {
    private let descriptor: Int32
    private let range: UploadBody.FileRange
    private var position: UInt64 = 0

    /// - Throws: ``S3Error`` of kind `.localFile` naming the path when it cannot be opened.
    init(_ range: UploadBody.FileRange) throws {
        let fd = open(range.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw S3Error.localFile(range.path, "cannot open for reading: \(String(cString: strerror(errno)))")
        }
        descriptor = fd
        self.range = range
    }

    /// Copies the next bytes of the range into `buffer`; returns 0 at the end of the range.
    /// - Throws: ``S3Error`` of kind `.localFile` when the read fails or the file ends before the range does
    ///   (it was truncated since its size was taken).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let remaining = range.length - position
        guard remaining > 0, let base = buffer.baseAddress else { return 0 }
        let want = Int(min(UInt64(buffer.count), remaining))
        while true {
            let got = pread(descriptor, base, want, off_t(range.offset + position))
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else {
                throw S3Error.localFile(range.path, "read failed: \(String(cString: strerror(errno)))")
            }
            guard got > 0 else {
                throw S3Error.localFile(range.path,
                                        "file ended at byte \(range.offset + position), before the \(range.length)-byte range from \(range.offset) (was it truncated while uploading?)")
            }
            position += UInt64(got)
            return got
        }
    }

    func close() { _ = Foundation.close(descriptor) }

    /// The size of a file in bytes.
    /// - Throws: ``S3Error`` of kind `.localFile` naming the path.
    static func size(ofFileAt path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw S3Error.localFile(path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        return UInt64(info.st_size)
    }
}
