import EventSchema
import Foundation
import Logging
import ObjectStore
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
        schema = try Self.loadSchema(config)
        layout = config.lakeLayout()
        evaluator = RecordEvaluator(schema: schema, config: config.pipeline)
        let catalog = config.lakeTable.format == .iceberg ? Self.restCatalog(config) : nil
        if let catalog {
            // The table (and its namespace) exist in the catalog before anything is written at its location: a
            // catalog may refuse a location that holds files, and SeaweedFS's fails on a namespace directory an
            // object write created first.
            do {
                _ = try IcebergTableCommit.restTable(catalog, settings: config.lakeTable.iceberg, location: Self.warehouseURI(layout),
                                                     columns: evaluator.layout.columns, properties: IcebergTableCommit.tableProperties)
            } catch let error as RestCatalogError {
                // At startup a catalog that cannot be reached or refuses is a configuration error (exit 2), as for
                // an unreachable broker or bucket.
                throw ConfigError(key: "lake.iceberg.catalog_uri", message: error.description,
                                  fix: Self.restCatalogFix(error, warehouse: config.lakeTable.iceberg.warehouse))
            }
        }
        let storage: Storage
        if let location = layout.objectLocation {
            let objects = try ObjectLake.open(location, config: config, refusals: refusedWrites, retries: objectStoreRetries)
            try LakeAccess.prepareStateDirectory(layout)
            opened = try CheckpointStoreOpener.open(config: config, layout: layout, lake: objects, logger: logger)
            store = opened.store
            try ObjectLake.verifyStore(objects, layout: layout, store: store, storeKey: config.storeKey, storeLocation: opened.location,
                                       catalogOwned: catalog == nil ? [] : ["metadata", "data"])
            storage = objects
        } else {
            try LakeAccess.prepare(layout)
            opened = try CheckpointStoreOpener.open(config: config, layout: layout, logger: logger)
            store = opened.store
            try LostStoreCheck.verify(layout: layout, store: store, storeLocation: opened.location)
            try layout.createDirectories()
            storage = layout.posixStorage()
        }
        if config.checkpointURL != nil || layout.isObjectStore {
            try StoreLakeCheck.verify(storage: storage, store: store, lakeRoot: layout.root,
                                      storeKey: config.storeKey,
                                      storeLocation: opened.location)
        }
        if config.checkpointURL != nil, let storeID = opened.storeID {
            try SharedStoreMarker.record(storage, location: opened.location, storeID: storeID)
        } else {
            try SharedStoreMarker.recordSQLite(storage, path: opened.location)
        }
        // Read back: of two hosts starting together on a new lake with different stores, one wrote the record first.
        try SharedStoreMarker.verifyRecorded(storage, lakeRoot: layout.root, location: opened.location, storeID: opened.storeID)
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
                                               warehouseURI: Self.warehouseURI(layout), catalog: catalog)
            if let hook { table.faultHook = hook }
            committer = table
        }
    }

    /// The lake root as the URI an Iceberg table's metadata names it by.
    static func warehouseURI(_ layout: LakeLayout) -> String { layout.isObjectStore ? layout.root : "file://" + layout.root }

    /// The REST catalog client for `lake.iceberg.catalog: rest`: OAuth2 client credentials from
    /// `WEIR_ICEBERG_CREDENTIAL` (`client_id:client_secret`) or a bearer token from `WEIR_ICEBERG_TOKEN`; nil for `sql`.
    /// The fix for a REST catalog that failed at startup: what to check for no answer, refused credentials, or a
    /// missing warehouse.
    static func restCatalogFix(_ error: RestCatalogError, warehouse: String?) -> String {
        switch error.status {
        case nil: return "start the catalog or correct lake.iceberg.catalog_uri (the catalog's base URL)"
        case 401?, 403?: return "set WEIR_ICEBERG_CREDENTIAL (client_id:client_secret) or WEIR_ICEBERG_TOKEN to credentials the catalog accepts"
        case 404?:
            // A catalog that keeps its warehouse in a bucket (SeaweedFS) answers 404 until the bucket exists, too.
            return "check lake.iceberg.warehouse (now \(warehouse ?? "the catalog's default")) names a warehouse the catalog serves, "
                + "and that the warehouse's bucket exists (a catalog started moments ago may still be creating it: start Weir again once it lists its namespaces)"
        default: return "check the catalog's own log for the cause, then start Weir again"
        }
    }

    static func restCatalog(_ config: WeirConfig, environment: [String: String] = ProcessInfo.processInfo.environment) -> RestCatalogClient? {
        let settings = config.lakeTable.iceberg
        guard settings.catalog == .rest, let uri = settings.catalogURI else { return nil }
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        return RestCatalogClient(uri: uri, warehouse: settings.warehouse, credential: value("WEIR_ICEBERG_CREDENTIAL"),
                                 token: value("WEIR_ICEBERG_TOKEN"), http: HTTPClient(caFile: config.s3.caFile))
    }

    /// Loads `config`'s schema file (`schema.file`), or the built-in pi2_events v1 schema when it names none.
    /// - Parameter choosing: the fix for a path that holds no readable file (missing, a directory, unreadable).
    /// - Throws: `ConfigError` naming `schema.file` and where its value came from (`config.origins`: the file,
    ///   `SCHEMA_FILE` or `--schema`): the path holds no readable file, or the schema in it is invalid.
    static func loadSchema(_ config: WeirConfig,
                           choosing: String = "pass --schema, or set SCHEMA_FILE or schema.file, to a Cerberus schema file (YAML or JSON)") throws -> EventSchema {
        do {
            return try loadSchema(config.schemaFile, choosing: choosing)
        } catch let error as ConfigError {
            throw config.origins.locate(error)
        }
    }

    private static func loadSchema(_ path: String?, choosing: String) throws -> EventSchema {
        let key = "schema.file"
        guard let path else {
            do {
                return try EventSchema.load(yaml: BuiltInSchema.pi2EventsV1)
            } catch {
                throw ConfigError(key: key, message: "\(BuiltInSchema.pi2EventsV1Name): \(error)",
                                  fix: "rebuild weir (scripts/embed-schema regenerates the built-in copy)")
            }
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(key: key, message: "\(path) does not exist", fix: choosing)
        }
        do {
            return try EventSchema.load(contentsOf: path)
        } catch let error as SchemaFileError {
            throw ConfigError(key: key, message: "\(path): \(error.reason)", fix: choosing)
        } catch {
            throw ConfigError(key: key, message: "\(path): \(error)", fix: "correct the schema; see docs/VALIDATION.md for the rules supported")
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
