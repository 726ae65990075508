import Foundation
import Kafka
import Pipeline
import Testing
import WeirTestSupport
@testable import WeirCLI

/// `weir run` with `lake.format: iceberg` on an embedded cluster, killed inside commits, then read back through
/// pyiceberg's SqlCatalog on the checkpoint database (testdata/oracles/iceberg_read.py) and DuckDB's iceberg_scan
/// (testdata/oracles/iceberg_duckdb.py).
@Suite(.serialized) struct IcebergRunTests {
    static func run(_ bootstrap: String, lake: String, config: String, fault: String?) async throws -> ChildProcess {
        let child = try ChildProcess(RepoPaths.weir, [
            "run", "--config", config, "--bootstrap-servers", bootstrap, "--topic", "ice", "--group-id", "ice", "--out-dir", lake,
            "--listen", "off", "--session-timeout", "4s", "--flush-rows", "1500", "--flush-interval", "1s", "--until-idle", "5",
            "--log-format", "json"],
            environment: fault.map { ["WEIR_FAULT_KILL_AT": $0] } ?? [:], directory: RepoPaths.root)
        await child.wait(timeout: .seconds(600))
        return child
    }

    /// Killed once right after a store transaction (the snapshot is committed, the rest of the commit is not) and
    /// once after staging (data files and metadata written, the pointer not moved); the third run drains the topic.
    /// The table then holds every valid unique event exactly once, no data file is added twice across snapshots,
    /// no unreferenced data file is left, and time travel to the previous snapshot gives its row count.
    @Test(.timeLimit(.minutes(10)))
    func killedRunsLeaveTheTableExactlyOnce() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("ice", partitions: 3)
        try cluster.createTopic("ice_dlq", partitions: 1)
        let dir = try RepoPaths.temporaryDirectory("iceberg-run")
        defer { RepoPaths.remove(dir) }
        let lake = dir + "/lake", config = dir + "/weir.yaml"
        try "lake:\n  format: iceberg\n  iceberg:\n    table: pi2.events\n".write(toFile: config, atomically: true, encoding: .utf8)
        var generator = Pi2EventGenerator(seed: 31, invalidRatio: 0.10, duplicateRatio: 0.05)
        try await LakeRecoveryTests.produce(&generator, count: 9_000, topic: "ice", bootstrap: cluster.bootstrapServers)

        for fault in ["stored", "staged"] {
            let killed = try await Self.run(cluster.bootstrapServers, lake: lake, config: config, fault: fault)
            #expect(killed.process.terminationReason == .uncaughtSignal && killed.process.terminationStatus == SIGKILL,
                    "run with a kill at \(fault) ended \(killed.process.terminationStatus): \(killed.stderr.suffix(2000))")
            #expect(killed.stderr.contains("SIGKILL at commit step '\(fault)'"), "\(killed.stderr.suffix(2000))")
        }
        let last = try await Self.run(cluster.bootstrapServers, lake: lake, config: config, fault: nil)
        #expect(last.process.terminationStatus == 0, "last run: \(last.stderr.suffix(3000))")

        let (table, rows) = try IcebergTableOracle.readWithRows(lake)
        table.expectExactlyOnce(generator.expected, lake: lake)
        // DuckDB's iceberg_scan, a second engine, reads the same table: types, every value, snapshots, time travel.
        let duck = try IcebergDuckDBOracle.read(lake)
        duck.expectAgrees(with: table, rows: rows)
        #expect(duck.rows.count == generator.expected.validUnique)
        #expect(Dictionary(uniqueKeysWithValues: table.schema.map { ($0.name, $0.type) })["ts"] == "timestamptz")
        #expect(table.snapshots.count >= 2)
        #expect(table.snapshots.map(\.sequence_number) == (1...Int64(table.snapshots.count)).map { $0 })
        let lastAdded = Int(table.snapshots.last?.summary["added-records"] ?? "") ?? -1
        #expect(table.previous_rows == table.rows.count - lastAdded)
        for f in table.files {
            #expect(f.path.contains("/pi2.db/events/data/ts_day=\(f.partition[0] ?? "?")/"), "\(f.path)")
        }
    }

    /// A second `weir run` whose schema turns `usuario_id` (long in the table) into a string stops at startup with
    /// exit 2, naming the table, the column, both types and the fix; the table is left as it was.
    @Test(.timeLimit(.minutes(10)))
    func anIncompatibleTypeChangeStopsTheRunWithExit2() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("ice", partitions: 1)
        try cluster.createTopic("ice_dlq", partitions: 1)
        let dir = try RepoPaths.temporaryDirectory("iceberg-evolve-run")
        defer { RepoPaths.remove(dir) }
        let lake = dir + "/lake", config = dir + "/weir.yaml"
        try "lake:\n  format: iceberg\n".write(toFile: config, atomically: true, encoding: .utf8)
        var generator = Pi2EventGenerator(seed: 7, invalidRatio: 0, duplicateRatio: 0)
        try await LakeRecoveryTests.produce(&generator, count: 200, topic: "ice", bootstrap: cluster.bootstrapServers)
        let first = try await Self.run(cluster.bootstrapServers, lake: lake, config: config, fault: nil)
        #expect(first.process.terminationStatus == 0, "first run: \(first.stderr.suffix(3000))")
        let pointer = try SQLiteCheckpointStore(path: lake + "/_weir/checkpoint.sqlite").tablePointer(IcebergTableSettings().pointerKey)
        #expect(pointer != nil)

        let changed = BuiltInSchema.pi2EventsV1.replacingOccurrences(of: "  usuario_id:\n    type: integer", with: "  usuario_id:\n    type: string")
        #expect(changed != BuiltInSchema.pi2EventsV1)
        try changed.write(toFile: dir + "/changed.yaml", atomically: true, encoding: .utf8)
        let child = try ChildProcess(RepoPaths.weir, [
            "run", "--config", config, "--schema", dir + "/changed.yaml", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "ice",
            "--group-id", "ice", "--out-dir", lake, "--listen", "off", "--until-idle", "5"], directory: RepoPaths.root)
        await child.wait(timeout: .seconds(300))
        #expect(child.process.terminationStatus == 2, "\(child.stderr.suffix(3000))")
        for part in ["weir: invalid configuration: schema.file", "pi2.events", "'usuario_id'", "type long", "makes it string", "lake.iceberg.table"] {
            #expect(child.stderr.contains(part), "stderr lacks \(part): \(child.stderr.suffix(3000))")
        }
        let after = try SQLiteCheckpointStore(path: lake + "/_weir/checkpoint.sqlite").tablePointer(IcebergTableSettings().pointerKey)
        #expect(after == pointer, "the table moved")
    }
}
