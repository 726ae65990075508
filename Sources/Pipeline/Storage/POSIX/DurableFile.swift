import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// fsync and atomic-rename helpers: the durability primitives of the commit protocol.
public enum DurableFile {
    /// fsyncs a file or directory by path.
    /// - Throws: `POSIXError` when it cannot be opened or synced.
    public static func sync(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Atomically renames `from` to `to` (same file system), creating `to`'s directory if needed, then fsyncs
    /// the target directory so the rename itself is durable.
    public static func publish(from: String, to: String) throws {
        let dir = (to as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard rename(from, to) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        try sync(path: dir)
    }

    /// Writes `data` to `path` atomically: a temporary sibling, fsync, rename, fsync of the directory.
    public static func writeAtomically(_ data: [UInt8], to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var written = 0
        while written < data.count {
            let n = data.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            guard n > 0 else { close(fd); throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            written += n
        }
        guard fsync(fd) == 0 else { close(fd); throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        close(fd)
        try publish(from: tmp, to: path)
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
