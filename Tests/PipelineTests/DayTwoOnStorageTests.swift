import EventSchema
import Foundation
import Parquet
import Testing
@testable import Pipeline

/// The day-two commands (compaction, inspection, rebuild, file DLQ replay) run on a lake whose bytes live in an
/// in-memory `Storage`: nothing of them needs a file system, so they work on object storage as well.
@Suite(.serialized) struct DayTwoOnStorageTests {
    static let partition = "date=2025-01-01"
    static let schema = ParquetSchema(columns: [.string("event_id"), .int64("n"), .int32("_kafka_partition"), .int64("_kafka_offset")])

    /// A lake of `files` committed files of `rows` events each in `partition`, written through `storage` by the
    /// table commit; the checkpoint store is SQLite in a temporary directory.
    struct Lake {
        let layout: LakeLayout
        let storage: InMemoryStorage
        let store: SQLiteCheckpointStore
        let committer: LakeCommitter
        var ids: Set<String> = []

        init(files: Int, rows: Int) throws {
            layout = LakeLayout(root: Paths.tempDir("day-two") + "/lake")
            try FileManager.default.createDirectory(atPath: layout.stateDirectory, withIntermediateDirectories: true)
            storage = InMemoryStorage()
            store = try SQLiteCheckpointStore(path: layout.storePath)
            committer = try LakeCommitter(layout: layout, storage: storage, store: store, writerOptions: ParquetWriterOptions())
            for i in 0..<files { try commit(first: i * rows, rows: rows) }
        }

        /// Commits one file of events `first ..< first + rows` (offsets of partition 0 alike).
        mutating func commit(first: Int, rows: Int) throws {
            let sink = ParquetMemorySink()
            let writer = try ParquetFileWriter(sink: sink, schema: DayTwoOnStorageTests.schema)
            let numbers = (first..<first + rows).map { Int64($0) }
            try writer.write([.string(numbers.map { "e\($0)" }), .int64(numbers), .int32(numbers.map { _ in 0 }), .int64(numbers)])
            _ = try writer.close()
            let staged = try committer.stage(bytes: sink.bytes, relativeDirectory: DayTwoOnStorageTests.partition, prefix: "part",
                                             ext: "parquet", rows: Int64(rows))
            var commit = CheckpointCommit()
            commit.committedAt = Int64(Date().timeIntervalSince1970)
            commit.files = [staged]
            commit.offsets[SourcePartition(topic: "pi2_events", partition: 0)] = OffsetAdvance(expected: first == 0 ? nil : Int64(first), next: Int64(first + rows))
            _ = try committer.commit(commit)
            ids.formUnion(numbers.map { "e\($0)" })
        }

        /// What a glob reader gets now: it lists the partition, then reads every listed `.parquet` object. nil when
        /// the read fails loudly (a listed object is a placeholder or gone), else the event ids it read.
        func read() -> [String]? {
            var ids: [String] = []
            for name in (try? storage.list(DayTwoOnStorageTests.partition)) ?? [] where name.hasSuffix(".parquet") {
                guard let bytes = try? storage.get(DayTwoOnStorageTests.partition + "/" + name),
                      let reader = try? ParquetFileReader(bytes: bytes, name: name),
                      let columns = try? reader.readAll(), case .string(let values) = columns[0] else { return nil }
                ids += values.compactMap { $0 }
            }
            return ids
        }

        /// The partition's data objects (placeholders excluded).
        var dataFiles: [String] {
            storage.names.filter { $0.hasPrefix(DayTwoOnStorageTests.partition + "/") && !CompactionPlaceholder.isPlaceholder(in: storage, name: $0) }
        }
    }

    static func options(grace: Duration = .zero) -> CompactionOptions {
        var options = CompactionOptions()
        options.targetBytes = 1 << 20
        options.placeholderGrace = grace
        options.grace = .zero
        return options
    }

    /// Compaction on storage that has no directories: the inputs become placeholders before the merged file is
    /// published. A reader that lists and reads the partition between any two storage operations of the
    /// compaction either fails loudly or reads every event exactly once; it never reads a short or doubled lake.
    @Test func compactionOnObjectStorageIsNeverSilentlyWrongForARacingReader() throws {
        var lake = try Lake(files: 6, rows: 50)
        let storage = lake.storage
        let expected = lake.ids
        var correct = 0, loud = 0
        var wrong: [String] = []
        storage.onChange = { step in
            guard step.contains(Self.partition) else { return }
            guard let ids = lake.read() else { loud += 1; return }
            if ids.count == expected.count && Set(ids) == expected { correct += 1 } else {
                wrong.append("after \(step): \(ids.count) rows, \(Set(ids).count) distinct, \(expected.count) committed")
            }
        }
        let table = RecordingTableRewrite(HiveManifestRewrite(store: lake.store))
        let compactor = try Compactor(layout: lake.layout, storage: storage, table: table, options: Self.options())
        #expect(compactor.method == .placeholdersFirst)
        let results = try compactor.compactAll()
        storage.onChange = nil

        #expect(wrong.isEmpty, "a racing reader read a wrong lake: \(wrong)")
        #expect(loud >= 6, "every step between the first placeholder and the sweep makes a read fail loudly, saw \(loud)")
        #expect(correct >= 1, "after the sweep a read is correct again")
        #expect(results.map(\.filesMerged) == [6] && results.map(\.filesWritten) == [1] && results.map(\.filesAfter) == [1])
        // The end state: one merged file holding every event once, no placeholder, nothing left in the work prefix,
        // and the store lists exactly the merged file as published.
        let ids = try #require(lake.read())
        #expect(ids.count == expected.count && Set(ids) == expected)
        #expect(storage.names.filter { $0.hasPrefix(Self.partition + "/") }.count == 1)
        #expect(!storage.names.contains { $0.hasPrefix(PlaceholderReplacement.workPrefix + "/") }, "\(storage.names)")
        let published = try lake.store.publishedFiles(hivePartition: Self.partition).map { lake.layout.name(ofPath: $0.finalPath) }
        #expect(published == lake.dataFiles)
        #expect(storage.overwrites.count == 6)
        // The replacement went through the table's rewrite seam, once, after the merged file was visible.
        #expect(table.replacements.count == 1)
        #expect(table.replacements.first?.removing.count == 6 && table.replacements.first?.adding.map { lake.layout.name(ofPath: $0.finalPath) } == lake.dataFiles)
        // The storage's `_compaction` lock serialized the run.
        #expect(storage.locksTaken >= 1)
        lake.ids = []
    }

    /// A compaction that dies after its first placeholder (here: its publish fails) leaves the partition failing
    /// loudly, never short; the next run rolls the replacement forward from its intent.
    @Test func interruptedReplacementIsRolledForwardByTheNextRun() throws {
        let lake = try Lake(files: 4, rows: 25)
        let storage = lake.storage
        storage.refuse = { operation, _ in operation == "publish" }
        let first = try Compactor(layout: lake.layout, storage: storage, store: lake.store, options: Self.options())
        #expect(throws: StorageError.self) { try first.compactAll() }
        storage.refuse = nil
        #expect(lake.read() == nil, "inputs are placeholders and the merged file is not published: reads fail loudly")
        #expect(storage.names.contains { $0.hasPrefix(PlaceholderReplacement.workPrefix + "/intent-") })

        let results = try Compactor(layout: lake.layout, storage: storage, store: lake.store, options: Self.options()).compactAll()
        let ids = try #require(lake.read())
        #expect(ids.count == lake.ids.count && Set(ids) == lake.ids)
        #expect(results.map(\.filesAfter) == [1], "the rolled-forward merge is the partition's only file: \(results)")
        let published = try lake.store.publishedFiles(hivePartition: Self.partition).map { lake.layout.name(ofPath: $0.finalPath) }
        #expect(published == lake.dataFiles)
        #expect(!storage.names.contains { $0.hasPrefix(PlaceholderReplacement.workPrefix + "/") }, "\(storage.names)")
    }

    /// A compaction killed before its intent leaves only a merge in progress, which readers never see and the
    /// next run deletes.
    @Test func mergeWithoutIntentIsDroppedByTheNextRun() throws {
        let lake = try Lake(files: 3, rows: 10)
        let storage = lake.storage
        storage.refuse = { operation, name in operation == "put" && name.contains("/intent-") }
        #expect(throws: StorageError.self) {
            try Compactor(layout: lake.layout, storage: storage, store: lake.store, options: Self.options()).compactAll()
        }
        storage.refuse = nil
        #expect(Set(try #require(lake.read())) == lake.ids)
        #expect(storage.overwrites.isEmpty)
        storage.inject(PlaceholderReplacement.workPrefix + "/deadbeef0000/part-x.parquet.tmp", bytes: [1, 2, 3])
        let results = try Compactor(layout: lake.layout, storage: storage, store: lake.store, options: Self.options()).compactAll()
        #expect(results.map(\.filesAfter) == [1])
        #expect(!storage.names.contains { $0.hasPrefix(PlaceholderReplacement.workPrefix + "/") }, "\(storage.names)")
    }

    /// `weir inspect` reads footers only (ranged reads), through `Storage`, and skips placeholders.
    @Test func inspectReadsOnlyFootersThroughStorage() throws {
        let lake = try Lake(files: 3, rows: 40)
        let storage = lake.storage
        storage.inject(Self.partition + "/part-old.parquet", bytes: CompactionPlaceholder.content(mergedInto: "x"))
        // A file far larger than its footer (random text does not compress): inspecting it must not fetch it.
        let sink = ParquetMemorySink()
        let writer = try ParquetFileWriter(sink: sink, schema: ParquetSchema(columns: [.string("blob")]))
        try writer.write([.string((0..<10_000).map { _ in UUID().uuidString + UUID().uuidString })])
        _ = try writer.close()
        #expect(sink.bytes.count > 4 * Int(ParquetObject.tailGuess), "\(sink.bytes.count) bytes")
        storage.inject(Self.partition + "/part-big.parquet", bytes: sink.bytes)
        let total = (lake.dataFiles).reduce(Int64(0)) { $0 + Int64((try? storage.get($1))?.count ?? 0) }
        let (getsBefore, bytesBefore) = (storage.gets, storage.bytesRead)
        let lakeView = try LakeInspector.inspect(storage: storage, name: "", displayPath: "s3://bucket/lake", targetRowGroupRows: 1000)
        #expect(lakeView.kind == "lake")
        #expect(lakeView.files.count == 4 && lakeView.totalRows == 10_120)
        #expect(lakeView.files.allSatisfy { $0.path.hasPrefix("s3://bucket/lake/" + Self.partition + "/part-") })
        #expect(storage.gets == getsBefore, "no whole object was fetched")
        #expect(storage.bytesRead - bytesBefore < total, "read \(storage.bytesRead - bytesBefore) bytes of \(total)")

        let file = try #require(lake.dataFiles.first { !$0.hasSuffix("part-big.parquet") })
        let one = try LakeInspector.inspect(storage: storage, name: file, displayPath: "s3://bucket/lake/" + file, targetRowGroupRows: 1000)
        #expect(one.kind == "file" && one.totalRows == 40 && one.files.first?.columns?.map(\.name) == Self.schema.columns.map(\.name))
        #expect(throws: CompactionError.self) {
            try LakeInspector.inspect(storage: storage, name: Self.partition + "/part-old.parquet", displayPath: "p", targetRowGroupRows: 1000)
        }
        #expect(throws: CompactionError.self) {
            try LakeInspector.inspect(storage: storage, name: "date=1999-01-01", displayPath: "missing", targetRowGroupRows: 1000)
        }
    }

    /// `weir checkpoint rebuild` restores offsets, manifest and dedup keys from a lake it reads through `Storage`,
    /// after a compaction on that storage (placeholders skipped).
    @Test func rebuildReadsTheLakeThroughStorage() throws {
        let lake = try Lake(files: 4, rows: 30)
        let storage = lake.storage
        _ = try Compactor(layout: lake.layout, storage: storage, store: lake.store, options: Self.options()).compactAll()
        storage.inject(Self.partition + "/part-late.parquet", bytes: CompactionPlaceholder.content(mergedInto: "x"))
        let fresh = try SQLiteCheckpointStore(path: Paths.tempDir("day-two-rebuild") + "/checkpoint.sqlite")
        let report = try LakeRebuilder(layout: lake.layout, storage: storage, store: fresh, topic: "pi2_events",
                                       dedupKey: .fields(["event_id"]), ttl: .seconds(86_400 * 36_500)).rebuild()
        #expect(report.files == 1 && report.rows == 120)
        #expect(report.offsets == [SourcePartition(topic: "pi2_events", partition: 0): 120])
        #expect(report.keys == 120)
        #expect(try fresh.publishedFiles(hivePartition: Self.partition).map(\.finalPath)
                == lake.dataFiles.map { lake.layout.root + "/" + $0 })
        #expect(try LakeFiles.list(lake.layout, storage: storage).parquet.count == 1)
    }

    /// `info`, `read(_:range:)`, `overwrite` and the walk behave alike on the file system and in memory: the
    /// contract the day-two commands rely on, and that an object-storage implementation must meet.
    @Test(arguments: ["posix", "memory"])
    func storageContractOfTheDayTwoMethods(kind: String) throws {
        let root = Paths.tempDir("storage-contract") + "/lake"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let storage: Storage = kind == "posix" ? POSIXStorage(root: root, lockDirectory: root + "/_weir/locks") : InMemoryStorage()
        try storage.put("date=1/a.parquet", bytes: Array("0123456789".utf8))
        try storage.put("date=1/hour=02/b.parquet", bytes: [1])
        try storage.put("_weir/c.txt", bytes: [2])

        #expect(try storage.info("date=1/a.parquet")?.size == 10)
        #expect(try storage.info("date=1") == nil, "a prefix is not an object")
        #expect(try storage.info("date=1/none.parquet") == nil)
        #expect(try storage.read("date=1/a.parquet", range: 2..<5) == Array("234".utf8))
        #expect(try storage.read("date=1/a.parquet", range: 8..<20) == Array("89".utf8), "a range past the end is cut")
        #expect(try storage.read("date=1/a.parquet", range: 12..<20) == [])
        do {
            _ = try storage.read("date=1/none.parquet", range: 0..<1)
            Issue.record("reading a missing object must throw")
        } catch let error as StorageError {
            #expect(error.kind == .notFound)
        }
        #expect(throws: StorageError.self) { try storage.put("date=1/a.parquet", bytes: [0]) }
        try storage.overwrite("date=1/a.parquet", bytes: Array("new".utf8))
        #expect(try storage.get("date=1/a.parquet") == Array("new".utf8))
        #expect(try storage.info("date=1/a.parquet")?.size == 3)

        #expect(try storage.objects(under: "") == ["_weir/c.txt", "date=1/a.parquet", "date=1/hour=02/b.parquet"])
        #expect(try storage.objects(under: "", descend: { $0 != "_weir" }) == ["date=1/a.parquet", "date=1/hour=02/b.parquet"])
        #expect(try storage.objects(under: "date=1") == ["date=1/a.parquet", "date=1/hour=02/b.parquet"])
        #expect(try storage.objects(under: "date=9").isEmpty)
    }

    /// `weir dlq replay --from-dir` reads the file DLQ and keeps its ledger through `Storage`: a second replay
    /// sends nothing.
    @Test func fileDeadLetterReplayWorksThroughStorage() async throws {
        let storage = InMemoryStorage()
        let valid = #"{"event_id":"e1","usuario_id":7,"ts":"2025-10-30T10:00:00Z","accion":"view","monto":1.5}"#
        func envelope(_ payload: String) -> String {
            let escaped = payload.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return #"{"payload":"\#(escaped)","reason":"schema"}"#
        }
        storage.inject("_dlq/date=2025-10-30/dlq-a.jsonl", bytes: Array((envelope(valid) + "\n" + envelope("{}") + "\n").utf8))
        storage.inject("_dlq/date=2025-10-31/dlq-b.jsonl", bytes: Array((envelope(valid.replacingOccurrences(of: "e1", with: "e2")) + "\n").utf8))
        let replayer = DeadLetterReplayer(schema: try EventSchema.load(contentsOf: Paths.schema))
        var sent: [String] = []
        let first = try await replayer.replayFiles(storage: storage, prefix: "_dlq", ledger: ReplayLedger(storage: storage, name: "_weir/dlq-replay.ledger"),
                                                   send: { sent += $0.map(\.origin) })
        #expect(first.read == 3 && first.replayed == 2 && first.stillFailing.values.reduce(0, +) == 1)
        #expect(sent == ["date=2025-10-30/dlq-a.jsonl:1", "date=2025-10-31/dlq-b.jsonl:1"])
        #expect(storage.names.contains { $0.hasPrefix("_weir/dlq-replay.ledger.d/") })
        let second = try await replayer.replayFiles(storage: storage, prefix: "_dlq", ledger: ReplayLedger(storage: storage, name: "_weir/dlq-replay.ledger"),
                                                    send: { sent += $0.map(\.origin) })
        #expect(second.replayed == 0 && second.alreadyReplayed == 2 && sent.count == 2)
    }
}
