import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Atomic exchange of two directory entries (`renameat2(…, RENAME_EXCHANGE)`, Linux ≥ 3.15; ext4, xfs, btrfs,
/// tmpfs). After it, each path names what the other named; there is no moment when either path is missing.
enum DirectoryExchange {
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    private static let renameAt2: RenameAt2? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()
    private static let atFDCWD: Int32 = -100
    private static let renameExchange: UInt32 = 1 << 1
    private static let renameNoReplace: UInt32 = 1 << 0

    /// Whether the platform has `renameat2`.
    static var isAvailable: Bool { renameAt2 != nil }

    /// Swaps `a` and `b` atomically.
    /// - Throws: `POSIXError` (e.g. `EINVAL` when the file system does not support the exchange, `EXDEV` across
    ///   file systems), or `ENOSYS` when `renameat2` is missing.
    static func exchange(_ a: String, _ b: String) throws {
        guard let renameAt2 else { throw POSIXError(.ENOSYS) }
        guard renameAt2(atFDCWD, a, atFDCWD, b, renameExchange) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    /// Renames `a` to `b` unless `b` exists (`renameat2(…, RENAME_NOREPLACE)`); where the file system or the
    /// platform lacks it, `link` + `unlink`, which is create-only too (a crash between them leaves both names).
    /// - Throws: `POSIXError` (`EEXIST` when `b` exists, `ENOENT` when `a` is missing).
    static func moveNoReplace(_ a: String, _ b: String) throws {
        if let renameAt2 {
            if renameAt2(atFDCWD, a, atFDCWD, b, renameNoReplace) == 0 { return }
            guard errno == EINVAL || errno == ENOSYS else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        guard link(a, b) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard unlink(a) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
