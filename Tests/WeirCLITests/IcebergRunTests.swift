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
    /// Killed once right after a store transaction (the snapshot is committed, the rest of the commit is not) and
    /// once after staging (data files and metadata written, the pointer not moved); the third run drains the topic.
    /// The table then holds every valid unique event exactly once, no data file is added twice across snapshots,
    /// no unreferenced data file is left, and time travel to the previous snapshot gives its row count.
    @Test(.timeLimit(.minutes(10)))
    func killedRunsLeaveTheTableExactlyOnce() async throws {
        try await IcebergRunFixture.with(topic: "ice", partitions: 3, directory: "iceberg-run", events: .init(count: 9_000, seed: 31)) { ice in
            for fault in ["stored", "staged"] {
                IcebergRunFixture.expectKilled(try await ice.run(fault: fault), at: fault)
            }
            let last = try await ice.run()
            #expect(last.process.terminationStatus == 0, "last run: \(last.output("weir run"))")

            let (table, rows) = try IcebergTableOracle.readWithRows(ice.lake)
            table.expectExactlyOnce(ice.expected, lake: ice.lake)
            // DuckDB's iceberg_scan, a second engine, reads the same table: types, every value, snapshots, time travel.
            let duck = try IcebergDuckDBOracle.read(ice.lake)
            duck.expectAgrees(with: table, rows: rows)
            #expect(duck.rows.count == ice.expected.validUnique)
            #expect(Dictionary(uniqueKeysWithValues: table.schema.map { ($0.name, $0.type) })["ts"] == "timestamptz")
            #expect(table.snapshots.count >= 2)
            #expect(table.snapshots.map(\.sequence_number) == (1...Int64(table.snapshots.count)).map { $0 })
            let lastAdded = Int(table.snapshots.last?.summary["added-records"] ?? "") ?? -1
            #expect(table.previous_rows == table.rows.count - lastAdded)
            for f in table.files {
                #expect(f.path.contains("/pi2.db/events/data/ts_day=\(f.partition[0] ?? "?")/"), "\(f.path)")
            }
        }
    }

    /// A second `weir run` whose schema turns `usuario_id` (long in the table) into a string stops at startup with
    /// exit 2, naming the table, the column, both types and the fix; the table is left as it was.
    @Test(.timeLimit(.minutes(10)))
    func anIncompatibleTypeChangeStopsTheRunWithExit2() async throws {
        try await IcebergRunFixture.with(topic: "ice", partitions: 1, directory: "iceberg-evolve-run", config: IcebergRunFixture.defaultTable,
                                         events: .init(count: 200, seed: 7, invalidRatio: 0, duplicateRatio: 0)) { ice in
            let first = try await ice.run()
            #expect(first.process.terminationStatus == 0, "first run: \(first.output("weir run"))")
            let store = ice.lake + "/_weir/checkpoint.sqlite"
            let pointer = try SQLiteCheckpointStore(path: store).tablePointer(IcebergTableSettings().pointerKey)
            #expect(pointer != nil)

            let changed = BuiltInSchema.pi2EventsV1.replacingOccurrences(of: "  usuario_id:\n    type: integer", with: "  usuario_id:\n    type: string")
            #expect(changed != BuiltInSchema.pi2EventsV1)
            try changed.write(toFile: ice.dir + "/changed.yaml", atomically: true, encoding: .utf8)
            let child = try ChildProcess(RepoPaths.weir, [
                "run", "--config", ice.config, "--schema", ice.dir + "/changed.yaml", "--bootstrap-servers", ice.bootstrap, "--topic", "ice",
                "--group-id", "ice", "--out-dir", ice.lake, "--listen", "off", "--until-idle", "5"], directory: RepoPaths.root)
            await child.wait(timeout: .seconds(300))
            #expect(child.process.terminationStatus == 2, "\(child.stderr.suffix(3000))")
            for part in ["weir: invalid configuration: schema.file", "pi2.events", "'usuario_id'", "type long", "makes it string", "lake.iceberg.table"] {
                #expect(child.stderr.contains(part), "stderr lacks \(part): \(child.stderr.suffix(3000))")
            }
            let after = try SQLiteCheckpointStore(path: store).tablePointer(IcebergTableSettings().pointerKey)
            #expect(after == pointer, "the table moved")
        }
    }
}
