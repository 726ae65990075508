import Foundation
import Kafka
import Pipeline
import Testing
import WeirTestSupport
@testable import WeirCLI

/// The lost-store check (`LostStoreCheck`) on an Iceberg lake: an empty store beside data files left by a first
/// commit killed before its store transaction is not a lost store (the table's catalog row is committed first), but
/// an empty store beside a committed table is.
@Suite(.serialized) struct IcebergLostStoreTests {
    static let config = "lake:\n  format: iceberg\n  iceberg:\n    table: pi2.events\n"

    /// Parquet files under the lake (the table's data files).
    static func parquetFiles(_ lake: String) -> [String] {
        let walk = FileManager.default.enumerator(atPath: lake)?.compactMap { $0 as? String } ?? []
        return walk.filter { $0.hasSuffix(".parquet") && !$0.hasPrefix("_weir") }
    }

    /// The very first commit is killed after its data files and metadata are written (step `staged`), before its
    /// store transaction: the restart recovers (removes the orphans) and lands every valid unique event once.
    @Test(.timeLimit(.minutes(10)))
    func aFirstCommitKilledBeforeItsStoreTransactionRestartsAndLandsOnce() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("ice", partitions: 3)
        try cluster.createTopic("ice_dlq", partitions: 1)
        let dir = try RepoPaths.temporaryDirectory("iceberg-first-kill")
        defer { RepoPaths.remove(dir) }
        let lake = dir + "/lake", config = dir + "/weir.yaml"
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        var generator = Pi2EventGenerator(seed: 43, invalidRatio: 0.10, duplicateRatio: 0.05)
        try await LakeRecoveryTests.produce(&generator, count: 3_000, topic: "ice", bootstrap: cluster.bootstrapServers)

        let killed = try await IcebergRunTests.run(cluster.bootstrapServers, lake: lake, config: config, fault: "staged")
        #expect(killed.process.terminationReason == .uncaughtSignal && killed.process.terminationStatus == SIGKILL,
                "run with a kill at staged ended \(killed.process.terminationStatus): \(killed.stderr.suffix(2000))")
        #expect(killed.stderr.contains("SIGKILL at commit step 'staged'"), "\(killed.stderr.suffix(2000))")
        #expect(!Self.parquetFiles(lake).isEmpty, "the killed first commit left no data file, so this test shows nothing")
        let metadata = (try? FileManager.default.contentsOfDirectory(atPath: lake + "/pi2.db/events/metadata")) ?? []
        let pointer = try SQLiteCheckpointStore(path: lake + "/_weir/checkpoint.sqlite").tablePointer(IcebergTableSettings().pointerKey)
        #expect(metadata.contains { $0.hasSuffix(".metadata.json") && !(pointer ?? "").hasSuffix("/" + $0) },
                "the killed first commit wrote no metadata file: \(metadata), pointer \(pointer ?? "none")")

        let last = try await IcebergRunTests.run(cluster.bootstrapServers, lake: lake, config: config, fault: nil)
        #expect(last.process.terminationStatus == 0, "restart: \(last.stderr.suffix(3000))")
        let table = try IcebergTableOracle.read(lake)
        table.expectExactlyOnce(generator.expected, lake: lake)
    }

    /// The store deleted after a single committed snapshot: `weir run` refuses (exit 2, `lake.out_dir`) instead of
    /// landing the topic a second time, and leaves the table as it was.
    @Test(.timeLimit(.minutes(10)))
    func aDeletedStoreBesideACommittedTableIsRefused() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("ice", partitions: 1)
        try cluster.createTopic("ice_dlq", partitions: 1)
        let dir = try RepoPaths.temporaryDirectory("iceberg-lost-store")
        defer { RepoPaths.remove(dir) }
        let lake = dir + "/lake", config = dir + "/weir.yaml"
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        var generator = Pi2EventGenerator(seed: 44, invalidRatio: 0, duplicateRatio: 0)
        try await LakeRecoveryTests.produce(&generator, count: 200, topic: "ice", bootstrap: cluster.bootstrapServers)
        let first = try await IcebergRunTests.run(cluster.bootstrapServers, lake: lake, config: config, fault: nil)
        #expect(first.process.terminationStatus == 0, "first run: \(first.stderr.suffix(3000))")
        let files = Self.parquetFiles(lake)
        #expect(!files.isEmpty)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: lake + "/_weir/checkpoint.sqlite" + suffix) }

        let refused = try await IcebergRunTests.run(cluster.bootstrapServers, lake: lake, config: config, fault: nil)
        #expect(refused.process.terminationStatus == 2, "a run with a lost store must refuse: \(refused.stderr.suffix(3000))")
        #expect(refused.stderr.contains("weir: invalid configuration: lake.out_dir: "), "\(refused.stderr.suffix(3000))")
        #expect(refused.stderr.contains("checkpoint store"))
        #expect(Self.parquetFiles(lake) == files, "the refused run changed the table's data files")
    }
}
