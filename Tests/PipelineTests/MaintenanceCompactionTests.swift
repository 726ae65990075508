import Foundation
import Parquet
import Testing
@testable import Pipeline
import WeirTestSupport

/// Compaction beside a live writer, checked by concurrent Swift, DuckDB and pyarrow readers.
@Suite(.serialized) struct MaintenanceCompactionTests {
    static let schema = ParquetSchema(columns: [.string("event_id"), .int64("n")])
    static let partition = "date=2025-01-01"

    static func tempLake() throws -> LakeLayout {
        let base = URL(fileURLWithPath: TestDirectories.make("maint"))
        let layout = LakeLayout(root: base.appendingPathComponent("lake").path)
        try layout.createDirectories()
        return layout
    }

    /// Stages and commits one file of `rows` events numbered from `first`, the way the pipeline does.
    static func commitFile(_ committer: LakeCommitter, layout: LakeLayout, index: Int, first: Int, rows: Int, extraColumn: Bool = false) throws {
        let name = "part-w-" + String(format: "%06d", index) + ".parquet"
        let staging = layout.stagingDirectory(instance: committer.instance) + "/" + name + ".tmp"
        var options = ParquetWriterOptions()
        options.fsync = false
        let fileSchema = extraColumn ? ParquetSchema(columns: schema.columns + [.string("extra", optional: true)]) : schema
        let writer = try ParquetFileWriter(path: staging, schema: fileSchema, options: options)
        var columns: [ColumnValues] = [.string((first..<first + rows).map { "e\($0)" }), .int64((first..<first + rows).map { Int64($0) })]
        if extraColumn { columns.append(.string(Array(repeating: "x", count: rows))) }
        try writer.write(columns)
        let summary = try writer.close()
        var commit = CheckpointCommit()
        commit.committedAt = Int64(Date().timeIntervalSince1970)
        commit.files = [StagedFile(stagingPath: staging, finalPath: layout.root + "/" + partition + "/" + name,
                                   hivePartition: partition, rows: summary.rowCount, bytes: summary.fileBytes)]
        _ = try committer.commit(commit)
    }

    /// A fresh lake with `files` committed files of `rows` events each in `partition`.
    static func lake(files: Int, rows: Int) throws -> (layout: LakeLayout, store: SQLiteCheckpointStore, committer: LakeCommitter, dir: String) {
        let layout = try tempLake()
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let committer = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions())
        for i in 0..<files { try commitFile(committer, layout: layout, index: i, first: i * rows, rows: rows) }
        return (layout, store, committer, layout.root + "/" + partition)
    }

    /// Lists the partition and reads every file, as a glob reader does. nil when a listed file vanished.
    static func swiftRead(_ dir: String) -> (rows: Int, distinct: Int)? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return (0, 0) }
        var ids = Set<String>()
        var rows = 0
        for name in names where name.hasSuffix(".parquet") {
            guard let reader = try? ParquetFileReader(path: dir + "/" + name), let cols = try? reader.readAll(),
                  case .string(let values) = cols[0] else { return nil }
            rows += values.count
            for v in values { ids.insert(v ?? "") }
        }
        return (rows, ids.count)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        var current: Int { lock.lock(); defer { lock.unlock() }; return value }
        func add(_ n: Int) { lock.lock(); value += n; lock.unlock() }
    }

    final class Messages: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
        func append(_ m: String) { lock.lock(); items.append(m); lock.unlock() }
    }

    /// Both replacement methods under the same load and the same real readers: the local directory exchange, and
    /// the object-storage sequence (placeholders first, then the merged file) run on the local file system.
    @Test(arguments: [Compactor.Method.directoryExchange, .placeholdersFirst])
    func compactionUnderLoadNeverShowsDuplicatesOrMisses(method: Compactor.Method) throws {
        let layout = try Self.tempLake()
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let committer = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions())
        let dir = layout.root + "/" + Self.partition
        let committedFile = layout.root + "/../committed.txt"
        let stopFile = layout.root + "/../stop"
        var options = CompactionOptions()
        options.targetBytes = 24 << 10
        options.grace = .zero
        // Much longer than a reader's gap between listing a directory and stat-ing its entries, short enough to
        // leave readers time between compactions.
        options.placeholderGrace = .milliseconds(300)
        let compactor = try Compactor(layout: layout, storage: layout.posixStorage(), store: store, options: options, method: method)
        // The work directory is outside the lake root, where `**/*.parquet` readers never look (placeholders first
        // keeps its work under `_weir/compaction/`, as `….parquet.tmp`).
        if method == .directoryExchange { #expect(!compactor.workDirectory.hasPrefix(layout.root + "/")) }

        let oracle = Process()
        // The DuckDB and pyarrow readers run beside the writer for the whole test, so this oracle is started
        // directly rather than through `PythonOracle.run`, which waits for the script to finish.
        try #require(FileManager.default.isExecutableFile(atPath: PythonOracle.python), "run scripts/setup: \(PythonOracle.python) is missing")
        oracle.executableURL = URL(fileURLWithPath: PythonOracle.python)
        oracle.arguments = ["-W", "ignore", PythonOracle.repoRoot.appendingPathComponent("testdata/oracles/maint_lake_reader.py").path,
                            layout.root, committedFile, stopFile]
        let oracleOut = Pipe()
        oracle.standardOutput = oracleOut
        try oracle.run()

        let committed = Counter()
        let done = Counter()
        let compactions = Counter()
        let failures = Counter()
        let violations = Messages()
        let group = DispatchGroup()
        let files = 240, rowsPerFile = 40
        Self.onThread(group) {
            defer { done.add(1) }
            for i in 0..<files {
                do {
                    try Self.commitFile(committer, layout: layout, index: i, first: i * rowsPerFile, rows: rowsPerFile)
                } catch {
                    violations.append("writer: \(error)")
                    return
                }
                committed.add(rowsPerFile)
                try? String(committed.current).write(toFile: committedFile, atomically: true, encoding: .utf8)
                usleep(15_000)
            }
        }
        Self.onThread(group) {
            while done.current == 0 {
                do {
                    _ = try compactor.compact(partition: Self.partition)
                    compactions.add(1)
                } catch {
                    violations.append("compactor: \(error)")
                }
                usleep(150_000)
            }
        }
        var swiftReads = 0
        while done.current == 0 {
            let floor = committed.current
            guard let (rows, distinct) = Self.swiftRead(dir) else {
                failures.add(1)
                usleep(1_000)
                continue
            }
            swiftReads += 1
            if rows != distinct { violations.append("swift: \(rows) rows, \(distinct) distinct") }
            if rows < floor { violations.append("swift: \(rows) rows < \(floor) committed") }
        }
        group.wait()
        _ = try compactor.compact(partition: Self.partition)
        _ = FileManager.default.createFile(atPath: stopFile, contents: Data())
        let data = oracleOut.fileHandleForReading.readDataToEndOfFile()
        oracle.waitForExit()
        struct Summary: Decodable { let reads: [String: Int]; let failed: [String: Int]; let violations: [String]; let errors: [String] }
        let summary = try JSONDecoder().decode(Summary.self, from: data)
        #expect(summary.violations.isEmpty, "\(summary.violations)")
        #expect(summary.errors.isEmpty, "\(summary.errors)")
        #expect((summary.reads["duckdb"] ?? 0) > 0 && (summary.reads["pyarrow"] ?? 0) > 0)
        print("\(method): oracle reads \(summary.reads), failed (retried) \(summary.failed)")
        print("\(method): swift reads \(swiftReads), failed (retried) \(failures.current), compactions \(compactions.current)")
        #expect(violations.all.isEmpty, "\(violations.all)")
        #expect(compactions.current > 3)
        let final = try #require(Self.swiftRead(dir))
        #expect(final.rows == files * rowsPerFile && final.distinct == files * rowsPerFile)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".parquet") }
        let size = try names.reduce(Int64(0)) { $0 + (try layout.posixStorage().info(Self.partition + "/" + $1)?.size ?? 0) }
        let bound = Int((size + options.targetBytes - 1) / options.targetBytes) + 1
        #expect(names.count <= bound, "\(names.count) files of \(size) bytes; at most \(bound) expected")
        // The store's manifest matches the directory.
        let published = try store.publishedFiles(hivePartition: Self.partition)
        #expect(Set(published.map { ($0.finalPath as NSString).lastPathComponent }) == Set(names))
        #expect(published.reduce(0) { $0 + $1.rows } == Int64(files * rowsPerFile))
    }

    @Test func publishWaitsForTheSwapAndLandsInTheNewVersion() throws {
        let layout = try Self.tempLake()
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let committer = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions())
        for i in 0..<5 { try Self.commitFile(committer, layout: layout, index: i, first: i * 10, rows: 10) }
        var options = CompactionOptions()
        options.grace = .zero
        options.placeholderGrace = .milliseconds(50)
        let compactor = try Compactor(layout: layout, store: store, options: options)
        let report = try compactor.compact(partition: Self.partition)
        #expect(report.filesBefore == 5 && report.filesAfter == 1 && report.filesMerged == 5 && report.rows == 50)
        // Compacting again changes nothing (one file), and publishing after a swap lands in the live directory.
        try Self.commitFile(committer, layout: layout, index: 5, first: 50, rows: 10)
        #expect(Self.swiftRead(layout.root + "/" + Self.partition)?.rows == 60)
        let again = try compactor.compact(partition: Self.partition)
        #expect(again.filesAfter == 1)
        #expect(Self.swiftRead(layout.root + "/" + Self.partition)?.rows == 60)
        let retired = try FileManager.default.contentsOfDirectory(atPath: compactor.workDirectory).filter { $0.hasPrefix("retired-") }
        #expect(retired.isEmpty)
    }

    /// Issue 15: "N -> M files" counts data files only. A placeholder left by an earlier run that was killed during
    /// its grace ends in `.parquet` too, but is neither a file before nor a file after.
    @Test func reportCountsDataFilesNotLeftoverPlaceholders() throws {
        let (layout, store, _, dir) = try Self.lake(files: 3, rows: 10)
        try CompactionPlaceholder.write(at: dir + "/part-w-killed-run.parquet", mergedInto: "part-earlier.parquet")
        let before = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !CompactionPlaceholder.isPlaceholder(dir + "/" + $0) }
        let bytesBefore = before.reduce(Int64(0)) { $0 + Int64((try? FileManager.default.attributesOfItem(atPath: dir + "/" + $1)[.size] as? Int) ?? 0) }
        var options = CompactionOptions()
        options.grace = .zero
        options.placeholderGrace = .milliseconds(10)
        let compactor = try Compactor(layout: layout, store: store, options: options)
        // The killed run's list of placeholders to sweep, as it leaves it in the work directory.
        let pending = PendingPlaceholders(paths: [dir + "/part-w-killed-run.parquet"], publishedAtMillis: 0)
        try JSONEncoder().encode(pending).write(to: URL(fileURLWithPath: compactor.workDirectory + "/placeholders-killed.json"))
        let report = try compactor.compact(partition: Self.partition)
        #expect(report.filesBefore == 3, "filesBefore \(report.filesBefore)")
        #expect(report.filesAfter == 1, "filesAfter \(report.filesAfter)")
        #expect(report.filesMerged == 3 && report.filesWritten == 1)
        #expect(report.bytesBefore == bytesBefore)
        #expect(Self.swiftRead(dir).map { [$0.rows, $0.distinct] } == [30, 30])
    }

    /// A reader that listed the partition before the swap and stats the names afterwards finds a placeholder under
    /// every merged-away name (so it fails loudly instead of silently dropping the name), until the grace ends;
    /// then the names are gone and the partition holds the merged file only.
    @Test func staleListingsFindPlaceholdersDuringTheGrace() throws {
        let (layout, store, _, dir) = try Self.lake(files: 4, rows: 10)
        let stale = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        var options = CompactionOptions()
        options.grace = .zero
        options.placeholderGrace = .seconds(3)
        let compactor = try Compactor(layout: layout, store: store, options: options)
        let group = DispatchGroup()
        let finished = Counter()
        Self.onThread(group) {
            _ = try? compactor.compact(partition: Self.partition)
            finished.add(1)
        }
        // Wait for the swap: a name that was not in the stale listing appears.
        let deadline = Date().addingTimeInterval(20)
        var live: [String] = []
        while Date() < deadline {
            live = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            if live.contains(where: { !stale.contains($0) }) { break }
            usleep(5_000)
        }
        #expect(live.contains(where: { !stale.contains($0) }), "the swap did not happen")
        #expect(finished.current == 0, "compaction returned before its placeholder grace")
        for name in stale {
            let path = dir + "/" + name
            #expect(DurableFile.exists(path) && CompactionPlaceholder.isPlaceholder(path), "\(name) is not a placeholder during the grace")
            #expect(throws: (any Error).self) { _ = try ParquetFileReader(path: path) }
        }
        #expect(Self.swiftRead(dir) == nil, "a fresh listing during the grace must fail loudly, not read")
        group.wait()
        for name in stale { #expect(!DurableFile.exists(dir + "/" + name)) }
        #expect(Self.swiftRead(dir).map { [$0.rows, $0.distinct] } == [40, 40])
        #expect(try LakeInspector.inspect(path: dir, targetRowGroupRows: 1000).files.count == 1)
    }

    /// The sweep deletes only files that still are placeholders: a pending list left by a run that crashed before
    /// its swap names live inputs, which must survive.
    @Test func placeholderSweepLeavesRealFilesAlone() throws {
        let (layout, store, _, dir) = try Self.lake(files: 2, rows: 10)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        var options = CompactionOptions()
        options.placeholderGrace = .zero
        let compactor = try Compactor(layout: layout, store: store, options: options)
        let pending = PendingPlaceholders(paths: names.map { dir + "/" + $0 }, publishedAtMillis: 0)
        try JSONEncoder().encode(pending).write(to: URL(fileURLWithPath: compactor.workDirectory + "/placeholders-x.json"))
        try compactor.sweepPlaceholders()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == names)
        #expect(!FileManager.default.fileExists(atPath: compactor.workDirectory + "/placeholders-x.json"))
    }

    /// A lake compacted by an older Weir may hold placeholders with the old marker ("tombstones") and their
    /// pending list `tombstones-<id>.json`: the next run deletes them, and `weir inspect` skips them meanwhile.
    @Test func olderPlaceholdersAreStillSweptAndSkipped() throws {
        let (layout, store, _, dir) = try Self.lake(files: 2, rows: 10)
        let old = dir + "/part-merged-away.parquet"
        try Data("WEIR COMPACTION TOMBSTONE\nThis Parquet file was merged into x by weir compact.\n".utf8).write(to: URL(fileURLWithPath: old))
        #expect(CompactionPlaceholder.isPlaceholder(old))
        #expect(try LakeInspector.inspect(path: dir, targetRowGroupRows: 1000).files.count == 2)
        var options = CompactionOptions()
        options.placeholderGrace = .zero
        let compactor = try Compactor(layout: layout, store: store, options: options)
        let pending = PendingPlaceholders(paths: [old], publishedAtMillis: 0)
        try JSONEncoder().encode(pending).write(to: URL(fileURLWithPath: compactor.workDirectory + "/tombstones-old.json"))
        try compactor.sweepPlaceholders()
        #expect(!DurableFile.exists(old))
        #expect(!FileManager.default.fileExists(atPath: compactor.workDirectory + "/tombstones-old.json"))
    }

    @Test func interruptedSwapIsRecordedByTheNextRun() throws {
        let layout = try Self.tempLake()
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let committer = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions())
        for i in 0..<3 { try Self.commitFile(committer, layout: layout, index: i, first: i * 10, rows: 10) }
        let compactor = try Compactor(layout: layout, store: store, options: CompactionOptions())
        // Simulate a crash after the exchange: the merged file is live, the store still lists the inputs.
        let dir = layout.root + "/" + Self.partition
        let inputs = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        let merged = "part-merged.parquet"
        let writer = try ParquetFileWriter(path: dir + "/" + merged, schema: Self.schema)
        try writer.write([.string((0..<30).map { "e\($0)" }), .int64((0..<30).map { Int64($0) })])
        let summary = try writer.close()
        for name in inputs { try FileManager.default.removeItem(atPath: dir + "/" + name) }
        let intent = CompactionIntent(partition: Self.partition, removing: inputs.map { dir + "/" + $0 },
                                      adding: [.init(name: merged, rows: 30, bytes: summary.fileBytes)])
        try JSONEncoder().encode(intent).write(to: URL(fileURLWithPath: compactor.workDirectory + "/intent-x.json"))
        _ = try compactor.compactAll()
        let published = try store.publishedFiles(hivePartition: Self.partition)
        #expect(published.map { ($0.finalPath as NSString).lastPathComponent } == [merged])
        #expect(!FileManager.default.fileExists(atPath: compactor.workDirectory + "/intent-x.json"))
    }

    /// The reader behaviour the design rests on (docs/COMPACTION.md): DuckDB's `**` does not follow symlinked
    /// directories and enters dot- and underscore-prefixed ones, so partition symlinks to hidden versions would
    /// lose partitions and expose versions; pyarrow follows symlinks and skips `.`/`_` entries.
    @Test func globReadersTreatSymlinksAndHiddenDirectoriesAsDocumented() throws {
        let dir = TestDirectories.make("maint-rb")
        let data = try PythonOracle.run("maint_reader_behaviour.py", [dir])
        struct Behaviour: Decodable {
            let duckdb_recursive: [String]
            let duckdb_one_level: [String]
            let pyarrow: [String]
            let duckdb_rows_with_vanished_name: Int
            let pyarrow_files_with_vanished_name: [String]
            let duckdb_placeholder_error: String?
            let pyarrow_placeholder_error: String?
        }
        let b = try JSONDecoder().decode(Behaviour.self, from: data)
        #expect(b.duckdb_recursive == [".date=B.v1/b.parquet", "_hidden/h.parquet", "date=A/a.parquet"])
        #expect(b.duckdb_one_level.contains("date=B/b.parquet"))
        #expect(b.pyarrow == ["date=A/a.parquet", "date=B/b.parquet"])
        // A listed name whose stat fails (a file removed between readdir and stat) is dropped silently by both:
        // the reason merged-away names are kept as placeholders for a grace period.
        #expect(b.duckdb_rows_with_vanished_name == 1)
        #expect(b.pyarrow_files_with_vanished_name == ["date=A/a.parquet"])
        // A placeholder makes both fail, naming the file.
        #expect(b.duckdb_placeholder_error?.contains("gone.parquet") == true)
        #expect(b.pyarrow_placeholder_error?.contains("gone.parquet") == true)
    }

    @Test func filesOfDifferentSchemasAreMergedPerSchemaRun() throws {
        let layout = try Self.tempLake()
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        let committer = try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions())
        for (i, extra) in [false, false, true, true, false].enumerated() {
            try Self.commitFile(committer, layout: layout, index: i, first: i * 10, rows: 10, extraColumn: extra)
        }
        var options = CompactionOptions()
        options.grace = .zero
        options.placeholderGrace = .milliseconds(50)
        let report = try Compactor(layout: layout, store: store, options: options).compact(partition: Self.partition)
        #expect(report.filesBefore == 5 && report.filesMerged == 4 && report.filesWritten == 2 && report.filesAfter == 3)
        #expect(Self.swiftRead(layout.root + "/" + Self.partition).map { [$0.rows, $0.distinct] } == [50, 50])
    }

    /// Runs `body` on a thread of its own (not the global queue, whose few workers a loaded test run can starve),
    /// inside `group`.
    static func onThread(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.start()
    }
}
