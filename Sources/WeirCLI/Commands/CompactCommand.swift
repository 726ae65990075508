import ArgumentParser
import Foundation
import Pipeline

/// `--config` and `--out-dir` for the maintenance commands, which need the lake but no pipeline.
struct LakeOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: ./weir.yaml if present).")
    var config: String?
    @Option(name: .long, help: "Lake root: a directory or s3://bucket/prefix (env OUT_DIR).")
    var outDir: String?
    @Option(name: .long, help: "The checkpoint store's file (env CHECKPOINT_PATH; default OUT_DIR/_weir/checkpoint.sqlite; required for an s3:// lake unless checkpoint.url names a PostgreSQL store).")
    var checkpointPath: String?

    /// Loads the configuration, applies `--out-dir`, then the command's own flags, and validates the result once.
    func load(_ flags: (inout WeirConfig) throws -> Void = { _ in }) throws -> WeirConfig {
        var config = try WeirConfig.load(path: self.config)
        if let outDir { config.outDir = outDir }
        if let checkpointPath { config.checkpointPath = checkpointPath }
        try flags(&config)
        try config.validate()
        return config
    }

    /// The lake's layout and its store (a separate SQLite connection, WAL lets it run beside `weir run`; or the
    /// PostgreSQL store of `checkpoint.url`).
    func open() throws -> (WeirConfig, LakeLayout, CheckpointStore) {
        let config = try load()
        let layout = config.lakeLayout()
        if config.checkpointURL != nil {
            // A mistyped lake path must not read as an empty lake (nor set up a new database's tables).
            guard layout.isObjectStore || FileManager.default.fileExists(atPath: layout.root) else {
                throw ConfigError(key: "lake.out_dir", message: "\(layout.root) does not exist",
                                  fix: "point --out-dir or OUT_DIR at the lake written by weir run")
            }
            // The lake's own storage (a bucket for an s3:// lake) holds the record of its store.
            let lake = try LakeStorage.open(layout, config: config)
            return (config, layout, try CheckpointStoreOpener.open(config: config, layout: layout, lake: lake).store)
        }
        try SharedStoreMarker.refuseLocalStore(try LakeStorage.open(layout, config: config), lakeRoot: layout.root)
        guard FileManager.default.fileExists(atPath: layout.storePath) else {
            if layout.isObjectStore || config.checkpointPath != nil {
                throw ConfigError(key: "checkpoint.path", message: "the checkpoint store \(layout.storePath) of \(layout.root) does not exist",
                                  fix: "point checkpoint.path (CHECKPOINT_PATH, --checkpoint-path) at the store weir run uses for this lake")
            }
            throw ConfigError(key: "lake.out_dir", message: "\(layout.root) has no checkpoint store (\(layout.storePath))",
                              fix: "point --out-dir or OUT_DIR at a lake written by weir run")
        }
        return (config, layout, try SQLiteCheckpointStore(path: layout.storePath))
    }
}

/// Output format of the maintenance commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// `weir compact`: merge a partition's small files, safely beside a running `weir run`.
struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Merge the small Parquet files of lake partitions into files near a target size.",
        discussion: """
            Safe while weir run writes to the same partitions: on a local lake the partition directory is swapped \
            atomically (renameat2 RENAME_EXCHANGE) under the partition lock publishers also take, so a reader globbing \
            OUT_DIR/**/*.parquet never sees an event twice or misses one. A read racing a swap can fail loudly \
            (file not found, or "magic bytes not found" on a placeholder left under a merged file's name for \
            --placeholder-grace); run it again. On an s3:// lake each merged input is overwritten by a placeholder \
            before the merged file is published, and one compaction runs at a time (a lock file beside the \
            SQLite checkpoint store, or an advisory lock in the PostgreSQL store of checkpoint.url). See docs/COMPACTION.md. On an Apache Iceberg table (lake.format: iceberg) the merged \
            files are committed as one replace snapshot instead; the inputs stay for time travel until weir maintain \
            expires the snapshots that reference them (docs/ICEBERG.md).
            """)

    @OptionGroup var lake: LakeOptions
    @Option(name: .long, help: "Only the partition of this UTC day (YYYY-MM-DD); default every partition.")
    var date: String?
    @Option(name: .long, help: "Target file size, e.g. 128MiB.")
    var targetSize: String = "128MiB"
    @Option(name: .long, help: "Work directory on the lake's file system, outside OUT_DIR (default: <parent>/.<name>.weir-work).")
    var workDir: String?
    @Option(name: .long, parsing: .unconditional, help: "Delete retired partition versions after this long: seconds or a duration, e.g. 300 or 5m.")
    var grace: String = "5m"
    @Option(name: [.customLong("placeholder-grace"), .customLong("tombstone-grace")], parsing: .unconditional,
            help: "Keep placeholders under the merged files' names this long: seconds or a duration, e.g. 2s (see docs/COMPACTION.md; --tombstone-grace is its older name).")
    var placeholderGrace: String = "2s"
    @Option(name: .long, help: "Output: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        let (config, layout, store) = try await failOnConfigError { try lake.open() }
        if let date { try await failOnConfigError { try Self.checkDate(date) } }
        var options = CompactionOptions()
        options.targetBytes = Int64(try await failOnConfigError { try ConfigValueParsers.bytes(targetSize, key: "--target-size") })
        options.grace = try await failOnConfigError { try ConfigValueParsers.duration(grace, key: "--grace", bare: .seconds, allowZero: true) }
        options.placeholderGrace = try await failOnConfigError { try ConfigValueParsers.duration(placeholderGrace, key: "--placeholder-grace", bare: .seconds, allowZero: true) }
        options.workDirectory = workDir
        options.rowGroupRows = config.pipeline.parquet.rowGroupRows
        options.createdBy = WeirVersion.parquetCreatedBy
        if config.lakeTable.format == .iceberg && config.lakeTable.iceberg.catalog != .sql {
            try await failOnConfigError {
                throw ConfigError(key: "lake.iceberg.catalog", message: "weir compact works on Iceberg tables of the sql catalog; \(layout.root) is a table of the REST catalog",
                                  fix: "compact it with the catalog's own maintenance (e.g. Spark's rewrite_data_files)")
            }
        }
        let storage = try await failOnConfigError { try LakeStorage.open(layout, config: config) }
        let results: [PartitionCompaction]
        if config.lakeTable.format == .iceberg {
            // An Iceberg table: one replace snapshot (docs/ICEBERG.md, "Maintenance"); the work directory and the
            // placeholders of a plain lake do not apply.
            results = try IcebergCompactor(layout: layout, storage: storage, store: store, settings: config.lakeTable.iceberg,
                                           warehouseURI: MaintainCommand.warehouseURI(layout), options: options).compactAll(date: date)
        } else {
            results = try Compactor(layout: layout, storage: storage, store: store, options: options).compactAll(date: date)
        }
        switch format {
        case .json: try printJSON(results.map(CompactionJSON.init))
        case .text: print(Self.render(results, date: date, targetSize: targetSize))
        }
    }

    /// `--date` must be a calendar day, YYYY-MM-DD.
    /// - Throws: `ConfigError` (key `--date`) naming the value and the fix.
    static func checkDate(_ date: String) throws {
        let parts = date.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        var valid = false
        if parts.map(\.count) == [4, 2, 2], parts.allSatisfy({ $0.utf8.allSatisfy { (48...57).contains($0) } }),
           let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month) {
            valid = (1...CivilTime.daysInMonth(year: year, month: month)).contains(day)
        }
        guard valid else {
            throw ConfigError(key: "--date", message: "'\(date)' is not a calendar day in the form YYYY-MM-DD",
                              fix: "write e.g. --date 2025-10-29 (the partition date=2025-10-29), or leave it out to compact every partition")
        }
    }

    /// One line per partition: what was merged, why it was skipped, or that there was nothing to do.
    static func render(_ results: [PartitionCompaction], date: String?, targetSize: String) -> String {
        if results.isEmpty { return date.map { "no partition date=\($0) with Parquet files: nothing to do" } ?? "no partitions with Parquet files: nothing to do" }
        return results.map { r in
            if let why = r.skipped { return "\(r.partition): skipped (\(why))" }
            if r.filesMerged == 0 {
                return "\(r.partition): nothing to do (\(r.filesBefore) \(r.filesBefore == 1 ? "file" : "files"), \(r.bytesBefore) bytes; "
                    + "fewer than 2 published files below 75% of --target-size \(targetSize) to merge)"
            }
            return "\(r.partition): \(r.filesBefore) -> \(r.filesAfter) files (\(r.filesMerged) merged into \(r.filesWritten)), "
                + "\(r.bytesBefore) -> \(r.bytesAfter) bytes"
        }.joined(separator: "\n")
    }
}

struct CompactionJSON: Encodable {
    let partition: String
    let filesBefore, filesAfter, filesMerged, filesWritten: Int
    let rowsMerged, bytesBefore, bytesAfter: Int64
    let skipped: String?

    init(_ r: PartitionCompaction) {
        partition = r.partition
        skipped = r.skipped
        filesBefore = r.filesBefore
        filesAfter = r.filesAfter
        filesMerged = r.filesMerged
        filesWritten = r.filesWritten
        rowsMerged = r.rows
        bytesBefore = r.bytesBefore
        bytesAfter = r.bytesAfter
    }
}
