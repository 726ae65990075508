import Foundation
import Testing
import WeirTestSupport

/// What `testdata/oracles/iceberg_duckdb.py` reports about an Iceberg table: DuckDB's `iceberg_scan` on the
/// metadata file the SQL catalog row names (DuckDB and its extensions from the pinned PyPI wheels), read
/// independently of pyiceberg.
struct IcebergDuckDBOracle: Decodable {
    struct Snap: Decodable { let id: Int64; let sequence_number: Int64 }
    struct File: Decodable, Hashable { let path: String; let record_count: Int64 }
    let metadata_location: String
    let types: [String: String]
    let rows: [[String: JSONScalar]]
    let snapshots: [Snap]
    let previous_rows: Int?
    let files: [File]

    /// Reads `table` (namespace.table) of the lake at `lake`.
    static func read(_ lake: String, table: String = "pi2.events") throws -> IcebergDuckDBOracle {
        try JSONDecoder().decode(IcebergDuckDBOracle.self, from: PythonOracle.run("iceberg_duckdb.py", [lake, table]))
    }

    /// The DuckDB type each Iceberg primitive type must read as.
    static let duckDBType = ["string": "VARCHAR", "long": "BIGINT", "int": "INTEGER", "double": "DOUBLE", "boolean": "BOOLEAN",
                             "timestamptz": "TIMESTAMP WITH TIME ZONE"]

    /// Expects DuckDB to agree with pyiceberg (`pyiceberg`, and the same oracle run's rows, `pyicebergRows`) on the
    /// table: every column with the DuckDB type of its Iceberg type, every row value for value, the snapshots in
    /// order, time travel to the previous snapshot, and the current snapshot's data files with their record counts.
    func expectAgrees(with pyiceberg: IcebergTableOracle, rows pyicebergRows: [[String: JSONScalar]]) {
        #expect(types.count == pyiceberg.schema.count, "DuckDB columns \(types.keys.sorted()), pyiceberg \(pyiceberg.schema.map(\.name))")
        for field in pyiceberg.schema {
            #expect(types[field.name] != nil && types[field.name] == Self.duckDBType[field.type],
                    "column \(field.name): Iceberg \(field.type), DuckDB \(types[field.name] ?? "missing")")
        }
        #expect(rows.count == pyicebergRows.count, "DuckDB \(rows.count) rows, pyiceberg \(pyicebergRows.count)")
        func byID(_ rows: [[String: JSONScalar]]) -> [[String: JSONScalar]] {
            rows.sorted { ($0["event_id"]?.description ?? "") < ($1["event_id"]?.description ?? "") }
        }
        let mismatches = zip(byID(rows), byID(pyicebergRows)).filter { $0.0 != $0.1 }
        #expect(mismatches.isEmpty, "\(mismatches.count) rows differ, first: DuckDB \(mismatches.first?.0 ?? [:]) pyiceberg \(mismatches.first?.1 ?? [:])")
        #expect(snapshots.map(\.id) == pyiceberg.snapshots.map(\.id))
        #expect(snapshots.map(\.sequence_number) == pyiceberg.snapshots.map(\.sequence_number))
        #expect(previous_rows == pyiceberg.previous_rows, "time travel: DuckDB \(String(describing: previous_rows)), pyiceberg \(String(describing: pyiceberg.previous_rows))")
        #expect(Set(files) == Set(pyiceberg.files.map { File(path: $0.path, record_count: $0.record_count) }))
    }
}

/// A JSON value of a flat row: string, integer, double, boolean or null (the oracles' row encoding).
enum JSONScalar: Decodable, Equatable, CustomStringConvertible {
    case string(String), int(Int64), double(Double), bool(Bool), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .bool(let b): return "\(b)"
        case .null: return "null"
        }
    }
}

extension IcebergTableOracle {
    /// Reads the table with pyiceberg once and returns both the decoded report and its rows with every column.
    static func readWithRows(_ lake: String, table: String = "pi2.events") throws -> (IcebergTableOracle, [[String: JSONScalar]]) {
        struct Rows: Decodable { let rows: [[String: JSONScalar]] }
        let data = try PythonOracle.run("iceberg_read.py", [lake, table])
        return (try JSONDecoder().decode(IcebergTableOracle.self, from: data), try JSONDecoder().decode(Rows.self, from: data).rows)
    }
}
