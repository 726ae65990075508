import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking `flock` on `_weir/locks/<partition>.lock`, serializing publishers (shared) against compaction
/// (exclusive) on one Hive partition directory.
///
/// Publishers hold it shared only around the `rename()` that makes a file visible, so they never wait on each
/// other; compaction holds it exclusively while it builds the partition's next version and swaps it in, so a
/// file cannot be published into a directory that is about to be retired.
public final class PartitionLock {
    private let fd: Int32

    /// Takes the lock `name` (e.g. a Hive partition, `date=2025-10-30`; `/` is written `+`) in `dir`, waiting as
    /// long as needed.
    /// - Throws: when the lock file cannot be created.
    public init(directory dir: String, name hivePartition: String, exclusive: Bool) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = hivePartition.replacingOccurrences(of: "/", with: "+")
        let fd = open(dir + "/" + name + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
