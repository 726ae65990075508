import ArgumentParser
import Foundation
import Logging
import Observability
import Pipeline

/// Flags shared by `weir run`, `weir simulate` and `weir demo`; each overrides the file and the environment.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: ./weir.yaml if present). See config/weir.example.yaml.")
    var config: String?
    @Option(name: .long, help: "Lake root, a directory or s3://bucket/prefix (env OUT_DIR).")
    var outDir: String?
    @Option(name: .long, help: "SQLite checkpoint store file (env CHECKPOINT_PATH, key checkpoint.path; default OUT_DIR/_weir/checkpoint.sqlite; required for an s3:// lake without checkpoint.url). A PostgreSQL store shared by several hosts: env WEIR_CHECKPOINT_URL or key checkpoint.url (postgres://user@host:port/db).")
    var checkpointPath: String?
    @Option(name: .long, help: "Cerberus schema file, YAML or JSON (env SCHEMA_FILE); default: the built-in pi2_events v1 schema.")
    var schema: String?
    @Option(name: .long, help: "Metrics and health listener host:port, or off (key observability.listen, default 127.0.0.1:9108).")
    var listen: String?
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (env WEIR_LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .long, help: "Log format: json, text or auto (text when stderr is a terminal; key observability.log_format).")
    var logFormat: String?
    @Option(name: .long, help: "Flush and commit after this many buffered records (key lake.flush_rows, default 100000).")
    var flushRows: Int?
    @Option(name: .long, parsing: .unconditional,
            help: "Flush and commit when the oldest buffered record is this old: seconds or a duration, e.g. 5 or 60s (key lake.flush_interval, default 60s).")
    var flushInterval: String?

    /// Loads the configuration, applies these flags, then the command's own (`flags`), and validates the result once.
    /// - Throws: `ConfigError` naming the key and the fix.
    func load(_ flags: (inout WeirConfig) throws -> Void = { _ in }) throws -> WeirConfig {
        var config = try WeirConfig.load(path: self.config)
        func given(_ key: String, _ flag: String) { config.origins.record(key, from: flag) }
        if let outDir { config.outDir = outDir; given("lake.out_dir", "--out-dir") }
        if let checkpointPath { config.checkpointPath = checkpointPath; given("checkpoint.path", "--checkpoint-path") }
        if let schema { config.setSchemaFile(schema, from: "--schema") }
        if let listen { config.metricsListen = listen }
        if let logLevel { config.logLevel = logLevel; given("observability.log_level", "--log-level") }
        if let logFormat { config.logFormat = logFormat; given("observability.log_format", "--log-format") }
        if let flushRows { config.pipeline.flushRows = flushRows; given("lake.flush_rows", "--flush-rows") }
        if let flushInterval {
            config.pipeline.flushInterval = try ConfigValueParsers.duration(flushInterval, key: "--flush-interval", bare: .seconds)
            given("lake.flush_interval", "--flush-interval")
        }
        try flags(&config)
        try config.validate()
        return config
    }

    /// Bootstraps logging once per process from the configuration.
    static func bootstrapLogging(_ config: WeirConfig) -> Logger {
        LoggingBootstrap.bootstrap(format: LogFormat(rawValue: config.logFormat) ?? .auto,
                                   level: Logger.Level(rawValue: config.logLevel))
        return Logger(label: "weir")
    }
}

/// Prints a configuration or startup error the way an operator needs it, and exits 2.
func failOnConfigError<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data("weir: \(error)\n".utf8))
        throw ExitCode(2)
    } catch let error as StartupError {
        FileHandle.standardError.write(Data("weir: \(error)\n".utf8))
        throw ExitCode(2)
    }
}
