import Foundation
import Kafka
import Pipeline
import Testing
import WeirTestSupport
@testable import WeirCLI

/// `weir run` into an Iceberg table from an embedded cluster, then `weir compact` and `weir maintain` as processes,
/// read back by pyiceberg's SqlCatalog on the checkpoint database (testdata/oracles/iceberg_read.py).
@Suite(.serialized) struct IcebergMaintenanceCommandTests {
    /// The rows of the current snapshot are every valid unique event once.
    static func expectRows(_ table: IcebergTableOracle, _ expected: Pi2EventGenerator.Expected) {
        #expect(table.rows.count == expected.validUnique, "rows \(table.rows.count), expected \(expected.validUnique)")
        #expect(Set(table.rows.map(\.event_id)).count == table.rows.count, "events landed twice")
        #expect(table.rows.reduce(Int64(0)) { $0 + Int64((($1.monto ?? 0) * 100).rounded()) } == expected.sumMontoCents)
        #expect(table.added_twice.isEmpty)
    }

    @Test(.timeLimit(.minutes(10)))
    func runThenCompactThenMaintain() async throws {
        try await IcebergRunFixture.with(topic: "ice", partitions: 2, directory: "iceberg-maint-cli", config: IcebergRunFixture.defaultTable,
                                         events: .init(count: 3_000, seed: 5, invalidRatio: 0.05)) { ice in
            let lake = ice.lake, dir = ice.dir, config = ice.config, expected = ice.expected
            let run = try await ice.run(flushRows: 200)
            #expect(run.process.terminationStatus == 0, "run: \(run.output("weir run"))")
            let before = try IcebergTableOracle.read(lake)
            Self.expectRows(before, expected)

            let compact = try await IcebergRunFixture.weir(["compact", "--config", config, "--out-dir", lake])
            #expect(compact.process.terminationStatus == 0, "compact: \(compact.stderr.suffix(3000))")
            #expect(compact.stdout.contains("ts_day=") && compact.stdout.contains("merged into"), "\(compact.stdout)")
            let compacted = try IcebergTableOracle.read(lake)
            Self.expectRows(compacted, expected)
            #expect(compacted.files.count < before.files.count, "\(before.files.count) -> \(compacted.files.count) files")
            #expect(compacted.files.count == Set(compacted.files.map(\.partition)).count, "one file per partition")
            #expect(compacted.snapshots.last?.summary["operation"] == "replace")
            #expect(compacted.previous_rows == before.rows.count, "time travel to the snapshot before the replace")

            let maintain = try await IcebergRunFixture.weir(["maintain", "--config", config, "--out-dir", lake, "--older-than", "0s",
                                                                "--orphan-older-than", "1h", "--format", "json"])
            #expect(maintain.process.terminationStatus == 0, "maintain: \(maintain.stderr.suffix(3000))")
            let report = try JSONDecoder().decode(MaintenanceReport.Decoded.self, from: Data(maintain.stdout.utf8))
            #expect(report.snapshotsExpired == compacted.snapshots.count - 1 && report.dataFilesDeleted > 0, "\(maintain.stdout)")
            let maintained = try IcebergTableOracle.read(lake)
            Self.expectRows(maintained, expected)
            #expect(maintained.snapshots.count == 1)
            let data = lake + "/pi2.db/events/data/"
            let onDisk = Set((FileManager.default.enumerator(atPath: data)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".parquet") }.map { "file://" + data + $0 })
            #expect(onDisk == Set(maintained.files.map(\.path)), "expired files are gone, the current ones are there")
            let avro = Set(((try? FileManager.default.contentsOfDirectory(atPath: lake + "/pi2.db/events/metadata")) ?? []).filter { $0.hasSuffix(".avro") })
            let referenced = Set((maintained.manifest_lists + maintained.manifests).map { URL(fileURLWithPath: $0).lastPathComponent })
            #expect(avro == referenced)

            // A plain Parquet lake has no snapshots: exit 2 naming the key.
            let plain = try await IcebergRunFixture.weir(["maintain", "--out-dir", dir + "/plain"])
            #expect(plain.process.terminationStatus == 2, "\(plain.stderr)")
            let plainLake = dir + "/plain"
            try FileManager.default.createDirectory(atPath: plainLake + "/_weir", withIntermediateDirectories: true)
            _ = try SQLiteCheckpointStore(path: plainLake + "/_weir/checkpoint.sqlite")
            let refused = try await IcebergRunFixture.weir(["maintain", "--out-dir", plainLake])
            #expect(refused.process.terminationStatus == 2 && refused.stderr.contains("weir: ") && refused.stderr.contains("lake.format"),
                    "\(refused.stderr)")
        }
    }
}

extension MaintenanceReport {
    /// `weir maintain --format json` as a test reads it.
    struct Decoded: Decodable {
        let snapshotsExpired: Int
        let dataFilesDeleted: Int
    }
}
