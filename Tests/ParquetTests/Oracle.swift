import Foundation
import Testing
@testable import Parquet

/// Runs tests/oracles/parquet_dump.py with the repo's .venv Python and decodes its JSON.
enum Oracle {
    struct Stat: Decodable {
        let has_min_max: Bool
        let null_count: Int64?
        let min: String?
        let max: String?
        let num_values: Int64
        let compression: String
        let encodings: [String]
    }
    struct Column: Decodable {
        let name: String
        let arrow_type: String
        let nullable: Bool
        let values: [String?]
        let stats: [Stat]
    }
    struct Dump: Decodable {
        let num_rows: Int64
        let num_row_groups: Int
        let created_by: String?
        let key_value: [String: String]
        let columns: [Column]
        let duckdb_mismatch: String?
    }

    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ args: [String]) throws -> Dump {
        let python = repoRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw OracleError("Python venv missing at \(python): run scripts/setup first")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-W", "ignore", repoRoot.appendingPathComponent("tests/oracles/parquet_dump.py").path] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw OracleError("oracle \(args) failed: \(String(decoding: errData, as: UTF8.self))")
        }
        return try JSONDecoder().decode(Dump.self, from: data)
    }

    static func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-parquet-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }
}

struct OracleError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
