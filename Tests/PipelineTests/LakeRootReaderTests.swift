import Foundation
import Testing
import WeirTestSupport
@testable import Pipeline

/// The lake root opens with every common reader's default options (issue 16): only Hive partitions and `_`
/// folders sit at the root, so pyarrow, pandas, Hive/Spark-style datasets, DuckDB and Polars' glob all read it.
@Suite struct LakeRootReaderTests {
    struct ReaderResult: Decodable {
        let rows: Int?
        let dates: [String]?
        let error: String?
    }

    @Test func everyReaderOpensTheLakeRootWithDefaultOptions() async throws {
        let h = try Harness("root-readers")
        defer { TestDirectories.remove(h.root) }
        // Valid events over three dates, one invalid event (the file DLQ writes `_dlq/` under the root).
        let values = PipelineRunnerTests.validEvents(12) + [Array("{}".utf8)]
        try await h.run(InMemoryRecordSource(values: values))
        let entries = try FileManager.default.contentsOfDirectory(atPath: h.root).sorted()
        #expect(entries == ["_dlq", "_weir", "date=2025-11-01", "date=2025-11-02", "date=2025-11-03"])
        #expect(FileManager.default.fileExists(atPath: h.layout.metricsFile))

        let results = try JSONDecoder().decode([String: ReaderResult].self,
                                               from: PythonOracle.run("lake_root_readers.py", [h.root]))
        #expect(results.count == 5)
        for (reader, result) in results.sorted(by: { $0.key < $1.key }) {
            #expect(result.error == nil, "\(reader) failed on the lake root: \(result.error ?? "")")
            #expect(result.rows == 12, "\(reader)")
            #expect(result.dates == ["2025-11-01", "2025-11-02", "2025-11-03"], "\(reader)")
        }
    }

    /// After `weir compact` (partitions become symlinks to hidden `.date=…` versions; its work directory is outside
    /// the root), the root still opens in every reader, with each event once.
    @Test func everyReaderOpensACompactedLakeRoot() async throws {
        let h = try Harness("root-readers-compacted")
        defer { TestDirectories.remove(h.root) }
        try await h.run(InMemoryRecordSource(values: PipelineRunnerTests.validEvents(12)))
        try await h.run(InMemoryRecordSource(values: PipelineRunnerTests.validEvents(24)))  // 12 more: a 2nd file per date
        var options = CompactionOptions()
        options.grace = .zero
        options.placeholderGrace = .zero
        let compacted = try Compactor(layout: h.layout, store: h.store, options: options).compactAll()
        #expect(compacted.contains { $0.filesBefore >= 2 }, "\(compacted)")
        let visible = try FileManager.default.contentsOfDirectory(atPath: h.root).filter { !$0.hasPrefix(".") }.sorted()
        #expect(visible == ["_weir", "date=2025-11-01", "date=2025-11-02", "date=2025-11-03"])

        let results = try JSONDecoder().decode([String: ReaderResult].self,
                                               from: PythonOracle.run("lake_root_readers.py", [h.root]))
        #expect(results.count == 5)
        for (reader, result) in results.sorted(by: { $0.key < $1.key }) {
            #expect(result.error == nil, "\(reader) failed on the compacted lake root: \(result.error ?? "")")
            #expect(result.rows == 24, "\(reader)")
        }
    }

    /// A lake written by an older Weir has `metrics.txt` at its root: opening it moves the file under `_weir/`.
    @Test func aMetricsFileLeftAtTheRootMovesUnderTheStateFolder() throws {
        let root = TestDirectories.make("legacy-metrics") + "/lake"
        defer { TestDirectories.remove(root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "total 7\nvalid 7\ninvalid 0\nduplicates 0\n".write(toFile: root + "/metrics.txt", atomically: true, encoding: .utf8)
        let layout = LakeLayout(root: root)
        try layout.createDirectories()
        #expect(!FileManager.default.fileExists(atPath: root + "/metrics.txt"))
        #expect(try String(contentsOfFile: layout.metricsFile, encoding: .utf8).hasPrefix("total 7\n"))
    }
}
