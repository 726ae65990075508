import EventSchema
import Foundation
import Logging
import Parquet
import Pipeline

/// Builds the pipeline's parts from the configuration: schema, store, committer, evaluator.
struct PipelineAssembly {
    let config: WeirConfig
    let schema: EventSchema
    let layout: LakeLayout
    let store: CheckpointStore
    /// The store with its readiness probe and size (SQLite file or PostgreSQL, per `checkpoint.url`).
    let opened: CheckpointStoreOpener.Opened
    /// Plain Hive Parquet (`LakeCommitter`) or an Iceberg table (`IcebergTableCommit`), per `lake.format`.
    let committer: TableCommit
    let evaluator: RecordEvaluator
    /// Create-only lake writes the object store refused (an `s3://` lake; always 0 on a file system).
    let refusedWrites = RefusedWrites()
    /// Requests to an `s3://` lake's object store that were retried (`weir_lake_object_store_retries_total`).
    let objectStoreRetries = ObjectStoreRetries()

    /// - Throws: `ConfigError` naming `schema.file` when the schema cannot be read or is malformed, or naming
    ///   `lake.out_dir` when the lake holds committed files but its store is empty (lost: see `LostStoreCheck`);
    ///   `StartupError` when the lake directory cannot be created or written, or an `s3://` lake's bucket cannot
    ///   be reached or written (`ObjectLake`); `StoreError` when its store cannot be opened; `ConfigError` naming
    ///   `checkpoint.url` when its PostgreSQL store cannot be reached.
    init(config: WeirConfig, logger: Logger? = nil) throws {
        self.config = config
        schema = try Self.loadSchema(config.schemaFile)
        layout = LakeLayout(root: config.outDir, checkpointPath: config.checkpointPath)
        let storage: Storage
        if let location = layout.objectLocation {
            let objects = try ObjectLake.open(location, config: config, refusals: refusedWrites, retries: objectStoreRetries)
            try LakeAccess.prepareStateDirectory(layout)
            opened = try CheckpointStoreOpener.open(config: config, layout: layout, logger: logger)
            store = opened.store
            try ObjectLake.verifyStore(objects, layout: layout, store: store)
            storage = objects
        } else {
            try LakeAccess.prepare(layout)
            opened = try CheckpointStoreOpener.open(config: config, layout: layout, logger: logger)
            store = opened.store
            try LostStoreCheck.verify(layout: layout, store: store)
            try layout.createDirectories()
            storage = layout.posixStorage()
        }
        if config.checkpointURL != nil || layout.isObjectStore {
            try StoreLakeCheck.verify(storage: storage, store: store, lakeRoot: layout.root,
                                      storeKey: config.checkpointURL != nil ? "checkpoint.url" : "checkpoint.path",
                                      storeLocation: opened.location)
        }
        evaluator = RecordEvaluator(schema: schema, config: config.pipeline)
        let hook = FaultInjection.fromEnvironment()
        switch config.lakeTable.format {
        case .parquet:
            let plain = try LakeCommitter(layout: layout, storage: storage, store: store, writerOptions: Self.writerOptions(config))
            if let hook { plain.faultHook = hook }
            committer = plain
        case .iceberg:
            let table = try IcebergTableCommit(layout: layout, storage: storage, store: store,
                                               writerOptions: Self.writerOptions(config), columns: evaluator.layout.columns,
                                               settings: config.lakeTable.iceberg,
                                               warehouseURI: layout.isObjectStore ? layout.root : "file://" + layout.root)
            if let hook { table.faultHook = hook }
            committer = table
        }
    }

    /// Loads the schema file at `path`, or the built-in pi2_events v1 schema when `path` is nil.
    static func loadSchema(_ path: String?) throws -> EventSchema {
        guard let path else {
            do {
                return try EventSchema.load(yaml: BuiltInSchema.pi2EventsV1)
            } catch {
                throw ConfigError(key: "schema.file", message: "\(BuiltInSchema.pi2EventsV1Name): \(error)",
                                  fix: "rebuild weir (scripts/embed-schema regenerates the built-in copy)")
            }
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(key: "schema.file", message: "\(path) does not exist", fix: "pass --schema, or set SCHEMA_FILE or schema.file, to a Cerberus schema file (YAML or JSON)")
        }
        do {
            return try EventSchema.load(contentsOf: path)
        } catch {
            throw ConfigError(key: "schema.file", message: "\(path): \(error)", fix: "correct the schema; see docs/VALIDATION.md for the rules supported")
        }
    }

    static func writerOptions(_ config: WeirConfig) -> ParquetWriterOptions {
        var options = ParquetWriterOptions()
        switch config.pipeline.parquet.compression {
        case "snappy": options.compression = .snappy
        case "gzip": options.compression = .gzip
        case "uncompressed": options.compression = .uncompressed
        default: options.compression = .zstd
        }
        options.rowGroupMaxRows = config.pipeline.parquet.rowGroupRows
        options.pageMaxBytes = config.pipeline.parquet.pageBytes
        options.createdBy = WeirVersion.parquetCreatedBy
        options.keyValueMetadata = [("weir.table", config.pipeline.table), ("weir.schema_version", config.pipeline.schemaVersion)]
        return options
    }

    func makeRunner(source: RecordSource, deadLetters: DeadLetterSink, options: PipelineRunner.Options,
                    observer: PipelineObserver, logger: Logger) -> PipelineRunner {
        PipelineRunner(config: config.pipeline, source: source, store: store, committer: committer, deadLetters: deadLetters,
                       evaluator: evaluator, options: options, observer: observer, logger: logger)
    }
}
