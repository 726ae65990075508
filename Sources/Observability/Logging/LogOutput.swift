import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a Weir log handler writes its lines.
public struct LogOutput: Sendable {
    let write: @Sendable (String) -> Void

    /// Wraps a closure that receives one complete line (including the trailing `\n`).
    public init(_ write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Standard error; each line is written with a single `write(2)` under a process-wide lock,
    /// so lines from different threads never interleave.
    public static let standardError = LogOutput { line in
        StandardErrorWriter.shared.write(line)
    }

    /// Whether standard error is a terminal (chooses the text format in `.auto` mode).
    public static var standardErrorIsTTY: Bool { isatty(2) == 1 }
}

private final class StandardErrorWriter: @unchecked Sendable {
    static let shared = StandardErrorWriter()
    private let lock = NSLock()

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        lock.lock()
        defer { lock.unlock() }
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}
