import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `Storage` on a POSIX file system: names are paths below `root`.
///
/// Objects are written in place (`O_CREAT | O_EXCL`) and fsynced on `finish(durable:)`; `publish` is
/// `renameat2(RENAME_NOREPLACE)` (falling back to `link` + `unlink` where the file system lacks it, both
/// create-only) followed by an fsync of the target directory; `claim` is an `InstanceLock` (`flock` on
/// `<prefix>/.lock`, released by the kernel when the process dies) and `withLock` a `PartitionLock` in
/// `lockDirectory`. Parent directories are created as needed.
public final class POSIXStorage: Storage, @unchecked Sendable {
    /// Absolute path of the root directory.
    public let root: String
    /// Where `withLock`'s lock files live.
    public let lockDirectory: String

    public init(root: String, lockDirectory: String) {
        self.root = root
        self.lockDirectory = lockDirectory
    }

    /// The absolute path of `name`.
    public func path(_ name: String) -> String { name.isEmpty ? root : root + "/" + name }

    public func create(_ name: String) throws -> StorageWriter {
        let path = path(name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return try POSIXFileWriter(path: path)
    }

    public func get(_ name: String) throws -> [UInt8]? {
        FileManager.default.contents(atPath: path(name)).map { Array($0) }
    }

    public func exists(_ name: String) -> Bool { DurableFile.exists(path(name)) }

    public func info(_ name: String) throws -> StorageObjectInfo? {
        var st = stat()
        guard stat(path(name), &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw StorageError(.io, "cannot stat \(path(name)): \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return StorageObjectInfo(size: Int64(st.st_size), modifiedAt: Int64(st.st_mtim.tv_sec))
    }

    public func read(_ name: String, range: Range<Int64>) throws -> [UInt8] {
        let path = path(name)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw StorageError(.notFound, "cannot read \(path): it does not exist") }
            throw StorageError(.io, "cannot open \(path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: Int(range.count))
        var filled = 0
        while filled < out.count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(range.lowerBound) + off_t(filled)) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw StorageError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            filled += n
        }
        return Array(out.prefix(filled))
    }

    public func overwrite(_ name: String, bytes: [UInt8]) throws {
        do {
            try FileManager.default.createDirectory(atPath: (path(name) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try DurableFile.writeAtomically(bytes, to: path(name))
        } catch {
            throw StorageError(.io, "cannot overwrite \(path(name)): \(error)")
        }
    }

    public func list(_ prefix: String) throws -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(prefix))) ?? []).sorted()
    }

    public func delete(_ name: String) throws {
        do {
            try FileManager.default.removeItem(atPath: path(name))
        } catch let error as CocoaError where error.code == .fileNoSuchFile {
            return
        } catch {
            guard exists(name) else { return }
            throw StorageError(.io, "cannot delete \(path(name)): \(error)")
        }
    }

    public func publish(_ source: String, to destination: String) throws {
        let from = path(source), to = path(destination)
        let dir = (to as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            try DirectoryExchange.moveNoReplace(from, to)
        } catch let error as POSIXError where error.code == .EEXIST {
            throw StorageError(.exists, "cannot publish \(from): \(to) exists already")
        } catch let error as POSIXError where error.code == .ENOENT {
            throw StorageError(.notFound, "cannot publish \(from) to \(to): it does not exist")
        }
        try DurableFile.sync(path: dir)
    }

    public func sync(_ prefix: String) throws { try DurableFile.sync(path: path(prefix)) }

    public func claim(_ prefix: String) throws -> StorageLease {
        POSIXLease(prefix: prefix, lock: try InstanceLock.create(directory: path(prefix)))
    }

    public func takeOver(_ prefix: String) throws -> StorageLease? {
        try InstanceLock.takeOver(directory: path(prefix)).map { POSIXLease(prefix: prefix, lock: $0) }
    }

    public func withLock<T>(_ name: String, exclusive: Bool, _ body: () throws -> T) throws -> T {
        let lock = try PartitionLock(directory: lockDirectory, name: name, exclusive: exclusive)
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }
}

/// A claimed prefix of `POSIXStorage`: its directory's `InstanceLock`.
final class POSIXLease: StorageLease, @unchecked Sendable {
    let prefix: String
    let lock: InstanceLock

    init(prefix: String, lock: InstanceLock) {
        self.prefix = prefix
        self.lock = lock
    }
}

/// A file being written by `POSIXStorage.create`: `write(2)` in the caller's chunks, `fsync` when durable.
final class POSIXFileWriter: StorageWriter {
    private var fd: Int32
    private(set) var position: Int64 = 0
    let path: String

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw StorageError(.exists, "cannot create \(path): it exists already") }
            throw StorageError(.io, "cannot create \(path): \(String(cString: strerror(code)))")
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        position += Int64(bytes.count)
    }

    func finish(durable: Bool) throws {
        guard fd >= 0 else { return }
        if durable && fsync(fd) != 0 { throw StorageError(.io, "cannot fsync \(path): \(String(cString: strerror(errno)))") }
        let rc = close(fd)
        fd = -1
        if rc != 0 { throw StorageError(.io, "cannot close \(path): \(String(cString: strerror(errno)))") }
    }
}
