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
    /// Parquet files under the lake (the table's data files).
    static func parquetFiles(_ lake: String) -> [String] {
        let walk = FileManager.default.enumerator(atPath: lake)?.compactMap { $0 as? String } ?? []
        return walk.filter { $0.hasSuffix(".parquet") && !$0.hasPrefix("_weir") }
    }

    /// The very first commit is killed after its data files and metadata are written (step `staged`), before its
    /// store transaction: the restart recovers (removes the orphans) and lands every valid unique event once.
    @Test(.timeLimit(.minutes(10)))
    func aFirstCommitKilledBeforeItsStoreTransactionRestartsAndLandsOnce() async throws {
        try await IcebergRunFixture.with(topic: "ice", partitions: 3, directory: "iceberg-first-kill", events: .init(count: 3_000, seed: 43)) { ice in
            IcebergRunFixture.expectKilled(try await ice.run(fault: "staged"), at: "staged")
            #expect(!Self.parquetFiles(ice.lake).isEmpty, "the killed first commit left no data file, so this test shows nothing")
            let metadata = (try? FileManager.default.contentsOfDirectory(atPath: ice.lake + "/pi2.db/events/metadata")) ?? []
            let pointer = try SQLiteCheckpointStore(path: ice.lake + "/_weir/checkpoint.sqlite").tablePointer(IcebergTableSettings().pointerKey)
            #expect(metadata.contains { $0.hasSuffix(".metadata.json") && !(pointer ?? "").hasSuffix("/" + $0) },
                    "the killed first commit wrote no metadata file: \(metadata), pointer \(pointer ?? "none")")

            let last = try await ice.run()
            #expect(last.process.terminationStatus == 0, "restart: \(last.output("weir run"))")
            let table = try IcebergTableOracle.read(ice.lake)
            table.expectExactlyOnce(ice.expected, lake: ice.lake)
        }
    }

    /// The store deleted after a single committed snapshot: `weir run` refuses (exit 2, `lake.out_dir`) instead of
    /// landing the topic a second time, and leaves the table as it was.
    @Test(.timeLimit(.minutes(10)))
    func aDeletedStoreBesideACommittedTableIsRefused() async throws {
        try await IcebergRunFixture.with(topic: "ice", partitions: 1, directory: "iceberg-lost-store",
                                         events: .init(count: 200, seed: 44, invalidRatio: 0, duplicateRatio: 0)) { ice in
            let first = try await ice.run()
            #expect(first.process.terminationStatus == 0, "first run: \(first.output("weir run"))")
            let files = Self.parquetFiles(ice.lake)
            #expect(!files.isEmpty)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: ice.lake + "/_weir/checkpoint.sqlite" + suffix) }

            let refused = try await ice.run()
            #expect(refused.process.terminationStatus == 2, "a run with a lost store must refuse: \(refused.output("weir run"))")
            #expect(refused.stderr.contains("weir: invalid configuration: lake.out_dir: "), "\(refused.output("weir run"))")
            #expect(refused.stderr.contains("checkpoint store"))
            #expect(Self.parquetFiles(ice.lake) == files, "the refused run changed the table's data files")
        }
    }
}
