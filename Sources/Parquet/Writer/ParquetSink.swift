#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Destination of the writer's bytes. `position` is the number of bytes written so far.
public protocol ParquetSink: AnyObject {
    var position: Int64 { get }
    /// Appends bytes. Throws `ParquetError.io` on failure.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes buffers and, if `sync`, makes the data durable; releases resources.
    func finish(sync: Bool) throws
}

/// In-memory sink (tests, small files): `bytes` holds the complete file after `close()`.
public final class ParquetMemorySink: ParquetSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public var position: Int64 { Int64(bytes.count) }
    public func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
    public func finish(sync: Bool) throws {}
}

/// POSIX file sink: creates/truncates `path` (mode 0644); writes go straight to `write(2)` in large chunks.
final class FileSink: ParquetSink {
    private var fd: Int32
    private(set) var position: Int64 = 0
    let path: String

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ParquetError.io("open \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { if fd >= 0 { close(fd) } }

    func write(_ b: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < b.count {
            let n = Glibc.write(fd, b.baseAddress! + off, b.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ParquetError.io("write \(path): \(String(cString: strerror(errno)))")
            }
            off += n
        }
        position += Int64(b.count)
    }

    func finish(sync: Bool) throws {
        guard fd >= 0 else { return }
        if sync && fsync(fd) != 0 { throw ParquetError.io("fsync \(path): \(String(cString: strerror(errno)))") }
        let rc = close(fd)
        fd = -1
        if rc != 0 { throw ParquetError.io("close \(path): \(String(cString: strerror(errno)))") }
    }
}
