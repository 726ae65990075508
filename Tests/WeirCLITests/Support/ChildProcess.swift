import Foundation
import WeirTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A child process with captured output, for driving `weir` and the Python oracles.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let stdoutFile: String
    private let stderrFile: String

    /// - Parameter stdin: text for the child's standard input (none when nil).
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
         stdin: String? = nil) throws {
        stdoutFile = TestDirectories.root + "/child-\(UUID().uuidString).out"
        stderrFile = stdoutFile + ".err"
        _ = FileManager.default.createFile(atPath: stdoutFile, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = FileHandle(forWritingAtPath: stdoutFile)
        process.standardError = FileHandle(forWritingAtPath: stderrFile)
        if let stdin {
            let input = stdoutFile + ".in"
            try stdin.write(toFile: input, atomically: true, encoding: .utf8)
            process.standardInput = FileHandle(forReadingAtPath: input)
            try? FileManager.default.removeItem(atPath: input)  // the open handle keeps the data readable
        }
        try process.run()
    }

    /// Stops the process if it still runs and removes its captured output.
    deinit {
        if process.isRunning {
            kill()
            process.waitForExit()
        }
        try? FileManager.default.removeItem(atPath: stdoutFile)
        try? FileManager.default.removeItem(atPath: stderrFile)
    }

    /// The last `limit` characters of stdout and stderr, labelled with `name`, for a failing test's message.
    func output(_ name: String, limit: Int = 3000) -> String {
        "--- \(name) (pid \(process.processIdentifier)) stdout:\n\(stdout.suffix(limit))\n--- \(name) stderr:\n\(stderr.suffix(limit))"
    }

    var stdout: String { (try? String(contentsOfFile: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? "" }

    func kill(_ signal: Int32 = SIGKILL) { Glibc.kill(process.processIdentifier, signal) }

    /// Waits for exit (polling, so the cooperative pool is not blocked) up to `timeout`; kills it after that.
    @discardableResult
    func wait(timeout: Duration = .seconds(300)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(); process.waitForExit() }
        return process.terminationStatus
    }

    /// Waits until the child has written its first complete stdout line (or has exited) and returns that line,
    /// without its newline; `safetyNet` only bounds a hung child. Reads the captured stdout once per poll, so a
    /// line still being written is never returned cut short.
    /// - Throws: `OracleError` naming `name` with the child's stdout and stderr when it exits or the safety net
    ///   passes before a line appears.
    func firstLine(_ name: String, safetyNet: Duration = .seconds(180)) async throws -> String {
        let deadline = ContinuousClock.now + safetyNet
        while true {
            let running = process.isRunning
            let out = stdout
            if let end = out.firstIndex(of: "\n") { return String(out[..<end]) }
            if !running || ContinuousClock.now >= deadline {
                let why = running ? "within \(safetyNet)" : "before exiting with status \(process.terminationStatus)"
                throw OracleError(message: "\(name) printed no first stdout line \(why):\n\(output(name))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    var wasKilled: Bool { process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL }

    /// Runs to completion and returns (status, stdout, stderr).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    directory: String? = nil, timeout: Duration = .seconds(300)) async throws -> (Int32, String, String) {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory)
        let status = await child.wait(timeout: timeout)
        return (status, child.stdout, child.stderr)
    }
}
