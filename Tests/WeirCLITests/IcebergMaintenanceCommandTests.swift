import Foundation
import Kafka
import Pipeline
import Testing
import WeirTestSupport
@testable import WeirCLI

/// `weir run` into an Iceberg table from an embedded cluster, then `weir compact` and `weir maintain` as processes,
/// read back by pyiceberg's SqlCatalog on the checkpoint database (testdata/oracles/iceberg_read.py).
@Suite(.serialized) struct IcebergMaintenanceCommandTests {
    static func weir(_ args: [String]) async throws -> ChildProcess {
        let child = try ChildProcess(RepoPaths.weir, args, directory: RepoPaths.root)
        await child.wait(timeout: .seconds(600))
        return child
    }

    /// The rows of the current snapshot are every valid unique event once.
    static func expectRows(_ table: IcebergTableOracle, _ expected: Pi2EventGenerator.Expected) {
        #expect(table.rows.count == expected.validUnique, "rows \(table.rows.count), expected \(expected.validUnique)")
        #expect(Set(table.rows.map(\.event_id)).count == table.rows.count, "events landed twice")
        #expect(table.rows.reduce(Int64(0)) { $0 + Int64((($1.monto ?? 0) * 100).rounded()) } == expected.sumMontoCents)
        #expect(table.added_twice.isEmpty)
    }

    @Test(.timeLimit(.minutes(10)))
    func runThenCompactThenMaintain() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("ice", partitions: 2)
        try cluster.createTopic("ice_dlq", partitions: 1)
        let dir = try RepoPaths.temporaryDirectory("iceberg-maint-cli")
        defer { RepoPaths.remove(dir) }
        let lake = dir + "/lake", config = dir + "/weir.yaml"
        try "lake:\n  format: iceberg\n".write(toFile: config, atomically: true, encoding: .utf8)
        var generator = Pi2EventGenerator(seed: 5, invalidRatio: 0.05, duplicateRatio: 0.05)
        try await LakeRecoveryTests.produce(&generator, count: 3_000, topic: "ice", bootstrap: cluster.bootstrapServers)
        let run = try await Self.weir([
            "run", "--config", config, "--bootstrap-servers", cluster.bootstrapServers, "--topic", "ice", "--group-id", "ice",
            "--out-dir", lake, "--listen", "off", "--session-timeout", "4s", "--flush-rows", "200", "--flush-interval", "1s",
            "--until-idle", "5"])
        #expect(run.process.terminationStatus == 0, "run: \(run.stderr.suffix(3000))")
        let before = try IcebergTableOracle.read(lake)
        Self.expectRows(before, generator.expected)

        let compact = try await Self.weir(["compact", "--config", config, "--out-dir", lake])
        #expect(compact.process.terminationStatus == 0, "compact: \(compact.stderr.suffix(3000))")
        #expect(compact.stdout.contains("ts_day=") && compact.stdout.contains("merged into"), "\(compact.stdout)")
        let compacted = try IcebergTableOracle.read(lake)
        Self.expectRows(compacted, generator.expected)
        #expect(compacted.files.count < before.files.count, "\(before.files.count) -> \(compacted.files.count) files")
        #expect(compacted.files.count == Set(compacted.files.map(\.partition)).count, "one file per partition")
        #expect(compacted.snapshots.last?.summary["operation"] == "replace")
        #expect(compacted.previous_rows == before.rows.count, "time travel to the snapshot before the replace")

        let maintain = try await Self.weir(["maintain", "--config", config, "--out-dir", lake, "--older-than", "0s",
                                            "--orphan-older-than", "1h", "--format", "json"])
        #expect(maintain.process.terminationStatus == 0, "maintain: \(maintain.stderr.suffix(3000))")
        let report = try JSONDecoder().decode(MaintenanceReport.Decoded.self, from: Data(maintain.stdout.utf8))
        #expect(report.snapshotsExpired == compacted.snapshots.count - 1 && report.dataFilesDeleted > 0, "\(maintain.stdout)")
        let maintained = try IcebergTableOracle.read(lake)
        Self.expectRows(maintained, generator.expected)
        #expect(maintained.snapshots.count == 1)
        let data = lake + "/pi2.db/events/data/"
        let onDisk = Set((FileManager.default.enumerator(atPath: data)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".parquet") }.map { "file://" + data + $0 })
        #expect(onDisk == Set(maintained.files.map(\.path)), "expired files are gone, the current ones are there")
        let avro = Set(((try? FileManager.default.contentsOfDirectory(atPath: lake + "/pi2.db/events/metadata")) ?? []).filter { $0.hasSuffix(".avro") })
        let referenced = Set((maintained.manifest_lists + maintained.manifests).map { URL(fileURLWithPath: $0).lastPathComponent })
        #expect(avro == referenced)

        // A plain Parquet lake has no snapshots: exit 2 naming the key.
        let plain = try await Self.weir(["maintain", "--out-dir", dir + "/plain"])
        #expect(plain.process.terminationStatus == 2, "\(plain.stderr)")
        let plainLake = dir + "/plain"
        try FileManager.default.createDirectory(atPath: plainLake + "/_weir", withIntermediateDirectories: true)
        _ = try SQLiteCheckpointStore(path: plainLake + "/_weir/checkpoint.sqlite")
        let refused = try await Self.weir(["maintain", "--out-dir", plainLake])
        #expect(refused.process.terminationStatus == 2 && refused.stderr.contains("weir: ") && refused.stderr.contains("lake.format"),
                "\(refused.stderr)")
    }
}

extension MaintenanceReport {
    /// `weir maintain --format json` as a test reads it.
    struct Decoded: Decodable {
        let snapshotsExpired: Int
        let dataFilesDeleted: Int
    }
}
