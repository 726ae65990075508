import Foundation

/// Runs the repository's Python oracles (`testdata/oracles/*.py`) with `<repo>/.venv/bin/python`, the environment
/// `scripts/setup` installs (pyarrow, DuckDB, Cerberus, kafka-python). A missing environment is a test failure,
/// never a silent skip.
public enum PythonOracle {
    /// The repository root (this file is `Tests/WeirTestSupport/PythonOracle.swift`).
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `<repo>/.venv/bin/python`.
    public static var python: String { repoRoot.appendingPathComponent(".venv/bin/python").path }

    /// Runs `testdata/oracles/<script>` with `arguments` and returns its standard output.
    /// - Throws: ``OracleFailure`` when the environment is missing or the script exits with a non-zero status
    ///   (the message carries its standard error).
    public static func run(_ script: String, _ arguments: [String] = []) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw OracleFailure("Python environment missing at \(python): run scripts/setup first")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-W", "ignore", repoRoot.appendingPathComponent("testdata/oracles/" + script).path] + arguments
        // Standard error goes to a file: reading two pipes one after the other can deadlock once the unread
        // one fills its buffer.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("weir-oracle-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errPath.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errPath)
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitForExit()
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errPath, encoding: .utf8)) ?? ""
            throw OracleFailure("oracle \(script) \(arguments) exited \(process.terminationStatus): \(stderr.suffix(2000))")
        }
        return data
    }
}

/// A Python oracle could not run or failed.
public struct OracleFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
