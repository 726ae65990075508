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

    private init(directory: String, fd: Int32) {
        self.directory = directory
        self.fd = fd
    }

    /// Creates `directory` already locked: the lock is taken in a hidden sibling (`.<name>.starting`) that is
    /// then renamed into place, so no other process can ever see the directory unlocked and mistake it for a
    /// dead instance's.
    /// - Throws: when the directory exists already or cannot be created.
    public static func create(directory: String) throws -> InstanceLock {
        let parent = (directory as NSString).deletingLastPathComponent
        let hidden = parent + "/." + (directory as NSString).lastPathComponent + ".starting"
        try FileManager.default.createDirectory(atPath: hidden, withIntermediateDirectories: true)
        let fd = open(hidden + "/.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0, rename(hidden, directory) == 0 else {
            let code = POSIXErrorCode(rawValue: errno) ?? .EIO
            close(fd)
            throw POSIXError(code)
        }
        return InstanceLock(directory: directory, fd: fd)
    }

    /// Takes the lock of an existing instance directory; nil if a live process holds it (or it has no lock yet).
    /// - Throws: when the lock file cannot be opened.
    public static func takeOver(directory: String) throws -> InstanceLock? {
        let fd = open(directory + "/.lock", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return InstanceLock(directory: directory, fd: fd)
    }

    deinit { close(fd) }
}
