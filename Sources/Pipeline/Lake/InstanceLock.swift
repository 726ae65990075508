import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<dir>/.lock`, held for the life of the process.
///
/// The kernel releases it when the process dies, even by SIGKILL, so recovery can tell the staging directory
/// of a dead instance (its lock can be taken) from a live one's (it cannot).
public final class InstanceLock: @unchecked Sendable {
    public let directory: String
    private let fd: Int32

    /// Creates `directory` and takes its lock; nil if another live process holds it.
    /// - Throws: when the directory or lock file cannot be created.
    public init?(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(directory + "/.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        self.directory = directory
        self.fd = fd
    }

    deinit { close(fd) }
}
