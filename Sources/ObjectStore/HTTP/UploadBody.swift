/// What a PUT, a part upload or a POST sends.
///
/// A file range is streamed from disk in curl-sized chunks on every attempt (a retry re-reads it), so an upload
/// never holds the file in memory; `bytes` is for small bodies (XML requests, small objects).
public enum UploadBody: Sendable {
    /// In-memory bytes.
    case bytes([UInt8])
    /// `length` bytes of the file at `path`, from byte `offset`.
    case file(FileRange)

    /// A byte range of a local file. `offset` and `length` are in bytes.
    public struct FileRange: Sendable, Equatable {
        public var path: String
        public var offset: UInt64
        public var length: UInt64

        public init(path: String, offset: UInt64 = 0, length: UInt64) {
            self.path = path
            self.offset = offset
            self.length = length
        }
    }

    /// The body's size in bytes.
    public var length: UInt64 {
        switch self {
        case .bytes(let bytes): return UInt64(bytes.count)
        case .file(let range): return range.length
        }
    }

    /// A whole file.
    /// - Throws: ``S3Error`` of kind `.localFile` when the file's size cannot be read.
    public static func file(atPath path: String) throws -> UploadBody {
        .file(FileRange(path: path, offset: 0, length: try FileRangeReader.size(ofFileAt: path)))
    }
}
