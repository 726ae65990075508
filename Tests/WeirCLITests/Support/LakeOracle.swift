import Foundation

/// What `testdata/oracles/lake_stats.py` reports about a lake (DuckDB + pyarrow), or `s3_lake_stats.py` about an
/// `s3://` lake (pyarrow's S3 file system; ``duckdb`` holds what DuckDB's httpfs extension reads by itself).
struct LakeStats: Decodable {
    struct Unreadable: Decodable { let file: String; let error: String }
    /// One reader's view of the lake: Parquet files, rows, distinct ids, the sum (2 decimals), rows per date.
    struct Counts: Decodable, Equatable {
        let files: Int
        let rows: Int
        let distinct: Int
        let sum: String
        let per_date: [String: Int]
    }
    let files: Int
    let unreadable: [Unreadable]
    let rows: Int
    let distinct: Int
    let sum: String
    let per_date: [String: Int]
    /// DuckDB httpfs over `s3://…/**/*.parquet` (s3_lake_stats.py only).
    let duckdb: Counts?

    static func of(_ lake: String, idColumn: String = "event_id", sumColumn: String = "monto") async throws -> LakeStats {
        let (status, out, err) = try await ChildProcess.run(
            RepoPaths.python, [RepoPaths.oracle("lake_stats.py"), lake, "--id-column", idColumn, "--sum-column", sumColumn])
        guard status == 0 else { throw OracleError(message: "lake_stats.py failed (\(status)): \(err)") }
        return try JSONDecoder().decode(LakeStats.self, from: Data(out.utf8))
    }
}

struct OracleError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
