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

    /// Writes `data` to `path` atomically: a temporary sibling, fsync, rename, fsync of the directory. The sibling's
    /// name is new for each call (`<path>.tmp-<pid>-<random>`, created exclusively), so concurrent writers of one
    /// path in a process (the metrics file during a compaction) never share it: the last rename wins, whole.
    public static func writeAtomically(_ data: [UInt8], to path: String) throws {
        let tmp = path + ".tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
        let fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var written = 0
        while written < data.count {
            let n = data.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw abandon(fd, tmp) }
            written += n
        }
        guard fsync(fd) == 0 else { throw abandon(fd, tmp) }
        close(fd)
        do {
            try publish(from: tmp, to: path)
        } catch {
            unlink(tmp)
            throw error
        }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Closes and removes a temporary file whose write failed; returns the failure's error (`errno` as it was).
    private static func abandon(_ fd: Int32, _ tmp: String) -> POSIXError {
        let code = POSIXErrorCode(rawValue: errno) ?? .EIO
        close(fd)
        unlink(tmp)
        return POSIXError(code)
    }
}
