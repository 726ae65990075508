import Foundation
import Kafka
import Pipeline

/// The whole configuration of `weir run`: `weir.yaml`, then environment variables, then flags.
///
/// Every key is documented with its default in `config/weir.example.yaml`. Unknown keys are an error.
struct WeirConfig: Sendable {
    /// `kafka.bootstrap_servers` (env `KAFKA_BOOTSTRAP_SERVERS`). Default `localhost:9092`.
    var bootstrapServers = "localhost:9092"
    /// `kafka.group_id` (env `KAFKA_GROUP_ID`). Default `weir`.
    var groupId = "weir"
    /// `kafka.client_id`. Default `weir`.
    var clientId = "weir"
    /// `kafka.auto_offset_reset`: `earliest` or `latest`. Default `earliest`.
    var autoOffsetReset = KafkaConsumerConfig.AutoOffsetReset.earliest
    /// `kafka.session_timeout`. Default 45 s.
    var sessionTimeout: Duration = .seconds(45)
    /// `kafka.max_poll_interval`. Default 300 s.
    var maxPollInterval: Duration = .seconds(300)
    /// `kafka.fetch_wake_interval`: how soon the consumer fetches again once its prefetch queue drops below
    /// `queued.min.messages`. Default 20 ms; `0s` leaves librdkafka's up-to-1-second wait.
    var fetchWakeInterval: Duration = .milliseconds(20)
    /// `kafka.connect_timeout`: how long a command keeps trying to reach a broker at startup before it exits 2 with
    /// the cause. Default 15 s. TLS, authentication and protocol failures end the wait at once.
    var connectTimeout: Duration = .seconds(15)
    /// `kafka.properties`: any other librdkafka property, passed through (TLS, SASL, …).
    var kafkaProperties: [String: String] = [:]
    /// `schema.file` (env `SCHEMA_FILE`). Default nil: the pi2_events v1 schema built into the binary (the text of
    /// `schemas/pi2_events.v1.yaml`), so `weir` runs from any directory.
    var schemaFile: String? = nil
    /// `lake.out_dir` (env `OUT_DIR`). Default `datasets/processed/pi2/`.
    var outDir = "datasets/processed/pi2/"
    /// `lake.s3.*`: where and how an `s3://` lake is reached.
    var s3 = ObjectLakeSettings()
    /// `checkpoint.path` (env `CHECKPOINT_PATH`, flag `--checkpoint-path`): the checkpoint store's SQLite file.
    /// Default `OUT_DIR/_weir/checkpoint.sqlite` for a local lake; required for an `s3://` lake.
    var checkpointPath: String? = nil
    /// `dlq.sink`: `kafka` or `file`. Default `kafka` for `weir run`, `file` for `weir simulate`.
    var deadLetterSink: String? = nil
    /// `observability.listen`: the metrics and health listener, `host:port`; `off` disables it. Default `127.0.0.1:9108`.
    var metricsListen = "127.0.0.1:9108"
    /// `observability.ready_max_commit_age`: `/readyz` fails when the last commit is older. Default 5m.
    var readyMaxCommitAge: Duration = .seconds(300)
    /// `observability.log_level` (env `WEIR_LOG_LEVEL`). Default `info`.
    var logLevel = "info"
    /// `observability.log_format`: `json`, `text` or `auto` (text on a TTY). Default `auto`.
    var logFormat = "auto"
    /// `checkpoint.url` (env `WEIR_CHECKPOINT_URL`): a `postgres://user@host:port/database` URL puts the checkpoint
    /// store in PostgreSQL, shared by every host of the lake (docs/POSTGRES.md). Default nil: the SQLite file
    /// `<lake>/_weir/checkpoint.sqlite`. Never logged as given: it may hold a password.
    var checkpointURL: String? = nil
    /// `checkpoint.connect_timeout`: how long startup keeps trying to reach the PostgreSQL store before it exits 2.
    /// Default 10 s.
    var checkpointConnectTimeout: Duration = .seconds(10)
    /// Everything the pipeline itself reads.
    var pipeline = PipelineConfig()
    /// `lake.format` and `lake.iceberg.*`: plain Hive Parquet (the default) or an Apache Iceberg table.
    var lakeTable = LakeTableConfig()
    /// Where each key's value came from, for the errors of `validate()`.
    var origins = ConfigOrigins()

    static let sections = ["kafka", "schema", "batch", "dedup", "event_time", "lake", "dlq", "observability", "checkpoint"]

    /// Loads `path` if given (it must exist), else `weir.yaml` in the current directory if present, then applies
    /// `environment`. Not validated yet: the command applies its flags and then calls `validate()` once.
    /// - Throws: `ConfigError` naming the key and the fix, and the file for an error found while reading it.
    static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> WeirConfig {
        var config = WeirConfig()
        let file = path ?? (FileManager.default.fileExists(atPath: "weir.yaml") ? "weir.yaml" : nil)
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigError(key: "--config", message: "cannot read \(file)", fix: "check the path and its permissions")
            }
            do {
                var reader = try ConfigReader(yaml: text, source: file)
                try config.apply(&reader)
                try reader.rejectUnknownKeys(allowed: sections)
                config.origins.recordFile(file, keys: reader.presentKeys())
            } catch var error as ConfigError where error.key != file {
                error.file = file  // the key is in this file (YAML errors name it already)
                throw error
            }
        }
        config.applyEnvironment(environment)
        return config
    }

    mutating func applyEnvironment(_ env: [String: String]) {
        /// A non-empty `variable` sets `key` (recorded as its origin) through `apply`.
        func take(_ variable: String, _ key: String?, _ apply: (inout WeirConfig, String) -> Void) {
            guard let v = env[variable], !v.isEmpty else { return }
            apply(&self, v)
            if let key { origins.record(key, from: variable) }
        }
        // An empty KAFKA_BOOTSTRAP_SERVERS is kept, for `validate()` to name.
        if let v = env["KAFKA_BOOTSTRAP_SERVERS"] {
            bootstrapServers = v
            origins.record("kafka.bootstrap_servers", from: "KAFKA_BOOTSTRAP_SERVERS")
        }
        take("KAFKA_TOPIC", nil) { $0.setTopic($1) }
        take("KAFKA_GROUP_ID", nil) { $0.groupId = $1 }
        take("OUT_DIR", "lake.out_dir") { $0.outDir = $1 }
        take("CHECKPOINT_PATH", "checkpoint.path") { $0.checkpointPath = $1 }
        for (key, variable) in s3.applyEnvironment(env) { origins.record(key, from: variable) }
        take("SCHEMA_FILE", "schema.file") { $0.schemaFile = $1 }
        take("WEIR_LOG_LEVEL", "observability.log_level") { $0.logLevel = $1 }
        take("WEIR_CHECKPOINT_URL", "checkpoint.url") { $0.checkpointURL = $1 }
    }

    /// Sets the topic, and the table name when it followed the topic.
    mutating func setTopic(_ topic: String) {
        if pipeline.table == pipeline.topic { pipeline.table = topic }
        pipeline.topic = topic
    }

    /// Sets `schema.file` to `path`, which `source` (a flag or an environment variable) gave.
    mutating func setSchemaFile(_ path: String, from source: String) {
        schemaFile = path
        origins.record("schema.file", from: source)
    }

    /// Checks the configuration once every source (file, environment, flags) is applied.
    /// - Throws: `ConfigError` naming the key, where its value came from (the file, the variable or the flag, as
    ///   `origins` recorded it) and the fix.
    func validate() throws {
        do {
            try validateValues()
        } catch let error as ConfigError {
            throw origins.locate(error)
        }
    }

    private func validateValues() throws {
        if bootstrapServers.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ConfigError(key: "kafka.bootstrap_servers", message: "is empty (KAFKA_BOOTSTRAP_SERVERS or --bootstrap-servers set to \"\")",
                              fix: "give host:port[,host:port…], e.g. the first line printed by `weir broker`")
        }
        try validateLakeLocation()
        if pipeline.flushRows < 1 { throw ConfigError(key: "lake.flush_rows", message: "must be at least 1", fix: "use e.g. 100000") }
        if pipeline.flushInterval <= .zero {
            throw ConfigError(key: "lake.flush_interval", message: "must be longer than 0s (0s would commit after every poll)",
                              fix: "use e.g. 60s (--flush-interval 60s); to commit on size alone, use a long interval such as 1h")
        }
        if !["uncompressed", "snappy", "gzip", "zstd"].contains(pipeline.parquet.compression) {
            throw ConfigError(key: "lake.compression", message: "unknown codec '\(pipeline.parquet.compression)'",
                              fix: "use zstd, snappy, gzip or uncompressed")
        }
        if let sink = deadLetterSink, !["kafka", "file"].contains(sink) {
            throw ConfigError(key: "dlq.sink", message: "unknown sink '\(sink)'", fix: "use kafka or file")
        }
        if !["json", "text", "auto"].contains(logFormat) {
            throw ConfigError(key: "observability.log_format", message: "unknown format '\(logFormat)'", fix: "use json, text or auto")
        }
        do {
            try KafkaProperties.check(kafkaProperties)
        } catch {
            throw ConfigError(key: "kafka.properties." + (error.property ?? "?"), message: error.detail ?? error.reason,
                              fix: "correct or remove it (librdkafka's property names: kafka.properties takes any of them, "
                                + "e.g. security.protocol, sasl.mechanisms, ssl.ca.location)")
        }
        if let url = checkpointURL {
            do {
                _ = try PostgresLocation(url: url)
            } catch let error as StoreError {
                throw ConfigError(key: "checkpoint.url", message: error.message, fix: (error.fix ?? "")
                                    + ", or remove checkpoint.url (and WEIR_CHECKPOINT_URL) for the SQLite store in the lake")
            }
        }
        if !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) {
            throw ConfigError(key: "observability.log_level", message: "unknown level '\(logLevel)'",
                              fix: "use trace, debug, info, notice, warning, error or critical")
        }
    }
}
