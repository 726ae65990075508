import Foundation
import WeirTestSupport

/// iproute2's `ip`, run synchronously: the test hosts' namespaces, links, addresses and routes.
enum IPCommand {
    /// The `ip` executable, or nil when iproute2 is not installed (scripts/setup installs it).
    static let path: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs `ip <arguments>` and returns its standard output.
    /// - Throws: `TestHostsError` with the command line, its exit status and its output when it fails.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        guard let path else { throw TestHostsError("iproute2's ip is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: a full pipe would otherwise block the child (link listings can be long).
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitForExit()
        guard process.terminationStatus == 0 else {
            throw TestHostsError("ip \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): "
                                 + String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
