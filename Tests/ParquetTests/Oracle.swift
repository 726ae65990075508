import Foundation
import Testing
@testable import Parquet
import WeirTestSupport

/// Runs testdata/oracles/parquet_dump.py with the repo's .venv Python and decodes its JSON.
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
        /// pyarrow's `PARQUET:field_id` field metadata; nil when the file has none.
        let field_id: Int?
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
        try JSONDecoder().decode(Dump.self, from: PythonOracle.run("parquet_dump.py", args))
    }

    static func tempPath(_ name: String) -> String {
        tempDirectory + "/" + name
    }

    /// This process's folder for the Parquet tests' files (removed at exit; see `TestDirectories`).
    static let tempDirectory = TestDirectories.make("parquet")
}

struct OracleError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
