import Foundation

/// A key run file opened for reading; the descriptor stays open for the life of the object, so a run that
/// another process merges away or expires (and unlinks) can still be read by lookups already holding it.
final class KeyRunFileSource: KeyRunSource, @unchecked Sendable {
    let path: String
    let byteCount: Int
    private let fd: Int32

    /// - Throws: `KeyRunError.io` naming the path (`missing` is true when the file does not exist).
    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw KeyRunFileError(path: path, operation: "open", code: code)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw KeyRunFileError(path: path, operation: "stat", code: code)
        }
        byteCount = Int(st.st_size)
    }

    deinit { close(fd) }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        // Not zero-filled first: `pread` writes every byte, or the read throws and the array is never returned.
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw n == 0 ? KeyRunError.corrupt("\(path) is shorter than its footer says")
                        : KeyRunFileError(path: path, operation: "read", code: errno)
                }
                done += n
            }
            initialized = count
        }
    }
}

/// A new key run file being written: created exclusively, written sequentially, fsynced by `close`.
struct KeyRunFileSink: KeyRunSink {
    let path: String
    private let fd: Int32
    private(set) var bytesWritten = 0

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw KeyRunFileError(path: path, operation: "create", code: errno) }
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw KeyRunFileError(path: path, operation: "write", code: errno) }
            done += n
        }
        bytesWritten += bytes.count
    }

    /// Flushes the file to stable storage and closes it.
    func close() throws {
        defer { Foundation.close(fd) }
        guard fsync(fd) == 0 else { throw KeyRunFileError(path: path, operation: "fsync", code: errno) }
    }

    /// Closes without syncing (the file is about to be removed).
    func abandon() { Foundation.close(fd) }
}

/// An I/O failure on a key run file.
struct KeyRunFileError: Error, CustomStringConvertible {
    let path: String
    let operation: String
    let code: Int32
    var isMissing: Bool { code == ENOENT }
    var description: String { "cannot \(operation) key run \(path): \(String(cString: strerror(code)))" }
}

enum KeyRunFiles {
    /// Writes `sortedKeys` (strictly ascending), committed at `at`, as a run at `path` and fsyncs it. Returns the
    /// bytes written.
    static func write(_ sortedKeys: [DedupKey], at: Int64, to path: String) throws -> Int {
        var encoder = KeyRunEncoder(sink: try KeyRunFileSink(path: path), capacity: sortedKeys.count, baseAt: at)
        do {
            for key in sortedKeys { try encoder.append(key, at: at) }
            let footer = try encoder.finish()
            try encoder.sink.close()
            return footer.fileBytes
        } catch {
            encoder.sink.abandon()
            unlink(path)
            throw error
        }
    }

    /// Fsyncs a directory, so files created or removed in it are durable.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw KeyRunFileError(path: path, operation: "open directory", code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw KeyRunFileError(path: path, operation: "fsync directory", code: errno) }
    }
}
