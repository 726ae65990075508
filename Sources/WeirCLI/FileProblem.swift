import Foundation

/// A file-system error with the path, the operation, the system's reason and a fix.
struct FileProblem: Error, CustomStringConvertible {
    let path: String
    /// What Weir was doing, e.g. `read the input file`; nil when unknown.
    let operation: String?
    let code: Int32
    var status: Int32 = 1

    /// Extracts the path and the POSIX error code from a Foundation error; nil when it carries neither.
    init?(_ error: Error, operation: String?, path fallback: String? = nil, status: Int32 = 1) {
        let ns = error as NSError
        let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
        let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? fallback
        var code: Int32?
        if ns.domain == NSPOSIXErrorDomain { code = Int32(ns.code) }
        else if underlying?.domain == NSPOSIXErrorDomain { code = underlying.map { Int32($0.code) } }
        else if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: code = ENOENT
            case .fileReadNoPermission, .fileWriteNoPermission: code = EACCES
            case .fileWriteVolumeReadOnly: code = EROFS
            case .fileWriteOutOfSpace: code = ENOSPC
            case .fileWriteFileExists: code = EEXIST
            default: code = nil
            }
        }
        guard let path, let code = code ?? Self.diagnose(path) else { return nil }
        self.init(path: path, operation: operation, code: code, status: status)
    }

    /// What is wrong with `path` when Foundation did not say (`NSCocoaErrorDomain` 256 or 512 with no underlying
    /// POSIX error): a directory where a file was expected, a file where a directory was, or nothing there.
    static func diagnose(_ path: String) -> Int32? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return isDirectory.boolValue ? EISDIR : nil }
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while ancestor.path != "/" {
            if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
                return isDirectory.boolValue ? ENOENT : ENOTDIR
            }
            ancestor.deleteLastPathComponent()
        }
        return ENOENT
    }

    init(path: String, operation: String?, code: Int32, status: Int32 = 1) {
        self.path = path
        self.operation = operation
        self.code = code
        self.status = status
    }

    var reason: String {
        switch code {
        case ENOENT: return "no such file or directory"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "read-only file system"
        case EISDIR: return "is a directory"
        case ENOTDIR: return "a component of the path is not a directory"
        default: return String(cString: strerror(code)).lowercased()
        }
    }

    var fix: String {
        switch code {
        case ENOENT: return "check the path"
        case EACCES, EPERM: return "give this user (uid \(getuid())) access to it, or choose another path"
        case EROFS: return "choose a path on a writable file system"
        case ENOSPC, EDQUOT: return "free space on that file system"
        case EISDIR: return "give a file, not a directory"
        case ENOTDIR: return "check the path"
        default: return "check the path and its permissions"
        }
    }

    var description: String {
        (operation.map { "cannot \($0) \(path)" } ?? path) + ": \(reason) (fix: \(fix))"
    }
}
