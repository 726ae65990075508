import Foundation
import WeirTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Paths, executables, ports and a tiny HTTP client shared by the Observability tests.
enum TestSupport {
    /// The package root (three levels above this file).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Absolute path of `name` on `PATH` (plus /usr/bin, /usr/local/bin), or nil.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for dir in dirs {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Result of a finished process.
    struct ProcessResult {
        var status: Int32
        var output: String
    }

    /// Runs `executable` with `arguments` to completion, capturing stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitForExit()
        return ProcessResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// A currently free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ptr -> Int32 in
                guard bind(fd, ptr, len) == 0 else { return -1 }
                return getsockname(fd, ptr, &len)
            }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// A response of ``get(_:)``.
    struct HTTPResult {
        var status: Int
        var contentType: String?
        var body: String
    }

    /// GET `url` with an ephemeral URLSession (no caching, 10 s timeout).
    static func get(_ url: String) async throws -> HTTPResult {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 10
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(from: URL(string: url)!)
        let http = response as! HTTPURLResponse
        return HTTPResult(
            status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"),
            body: String(decoding: data, as: UTF8.self))
    }
}

/// A thread-safe line collector for log handler tests.
final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    /// Every line written so far.
    var lines: [String] {
        lock.lock(); defer { lock.unlock() }
        return storage
    }

    /// Appends one line.
    func append(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        storage.append(line)
    }
}
