import Foundation
import Pipeline
import Testing
import WeirTestSupport
@testable import WeirCLI

/// What `testdata/oracles/iceberg_read.py` reports about an Iceberg table (pyiceberg's SqlCatalog on the
/// checkpoint database), and the exactly-once checks the Iceberg run tests share.
struct IcebergTableOracle: Decodable {
    struct Field: Decodable { let id: Int; let name: String; let type: String }
    struct Snap: Decodable { let id: Int64; let sequence_number: Int64; let summary: [String: String] }
    struct File: Decodable { let path: String; let partition: [String?]; let record_count: Int64 }
    struct Row: Decodable { let event_id: String; let ts: Int64; let monto: Double? }
    let schema: [Field]
    let snapshots: [Snap]
    let rows: [Row]
    let previous_rows: Int?
    let files: [File]
    let added_twice: [String]
    let manifest_lists: [String]
    let manifests: [String]
    let metadata_files: [String]

    /// Reads `table` (namespace.table) of the lake at `lake` (a directory or `s3://…`); `options` are the oracle's
    /// flags (`--s3-endpoint`, `--credential`, `--catalog-db`, `--rest-uri`, `--rest-warehouse`).
    static func read(_ lake: String, table: String = "pi2.events", options: [String] = []) throws -> IcebergTableOracle {
        try JSONDecoder().decode(IcebergTableOracle.self, from: PythonOracle.run("iceberg_read.py", [lake, table] + options))
    }

    /// Expects the current snapshot to hold every valid unique event of `expected` exactly once (count, distinct
    /// ids, sum of `monto`, rows per date), no data file added twice across the snapshots, and no file left that
    /// the table does not reference: every data file under `data/` is in the current snapshot, and `metadata/`
    /// holds exactly the snapshots' manifest lists and manifests and one metadata file per snapshot, among them
    /// every one the current metadata refers to.
    func expectExactlyOnce(_ expected: Pi2EventGenerator.Expected, lake: String, tableDir: String = "pi2.db/events") {
        let data = lake + "/" + tableDir + "/data/"
        let onDisk = Set((FileManager.default.enumerator(atPath: data)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".parquet") }.map { "file://" + data + $0 })
        let names = (try? FileManager.default.contentsOfDirectory(atPath: lake + "/" + tableDir + "/metadata")) ?? []
        expectExactlyOnce(expected, dataFiles: onDisk, metadataNames: names)
    }

    /// `expectExactlyOnce(_:lake:tableDir:)` with the table's files listed by the caller: `dataFiles` every data
    /// file under `data/` as a URI the table would name it by, `metadataNames` the file names under `metadata/`.
    /// With `catalogWritesMetadata` (a REST catalog writes the metadata files itself) only the Avro files are checked.
    func expectExactlyOnce(_ expected: Pi2EventGenerator.Expected, dataFiles onDisk: Set<String>, metadataNames names: [String],
                           catalogWritesMetadata: Bool = false) {
        #expect(rows.count == expected.validUnique, "rows \(rows.count), expected \(expected.validUnique)")
        #expect(Set(rows.map(\.event_id)).count == rows.count, "\(rows.count - Set(rows.map(\.event_id)).count) events landed twice")
        let cents = rows.reduce(Int64(0)) { $0 + Int64((($1.monto ?? 0) * 100).rounded()) }
        #expect(cents == expected.sumMontoCents)
        var perDate: [String: Int] = [:]
        for row in rows { perDate[CivilTime.dateString(ofMicros: row.ts), default: 0] += 1 }
        #expect(perDate == expected.perDate)
        #expect(added_twice.isEmpty, "data files added twice: \(added_twice)")

        #expect(onDisk == Set(files.map(\.path)),
                "data files no snapshot references are left: \(onDisk.subtracting(files.map(\.path)).sorted())")

        func base(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }
        let avro = Set(names.filter { $0.hasSuffix(".avro") })
        let referencedAvro = Set(manifest_lists.map(base)).union(manifests.map(base))
        #expect(avro == referencedAvro, "unreferenced: \(avro.subtracting(referencedAvro).sorted()), missing: \(referencedAvro.subtracting(avro).sorted())")
        guard !catalogWritesMetadata else { return }
        let json = Set(names.filter { $0.hasSuffix(".metadata.json") })
        // Metadata files older than the log's oldest are history and stay, so the check is one per snapshot plus
        // the table's creation file (version 0, no snapshot).
        #expect(json.count == snapshots.count + 1, "\(json.count) metadata files for \(snapshots.count) snapshots: \(json.sorted())")
        #expect(Set(metadata_files.map(base)).isSubset(of: json), "missing: \(Set(metadata_files.map(base)).subtracting(json).sorted())")
    }
}
