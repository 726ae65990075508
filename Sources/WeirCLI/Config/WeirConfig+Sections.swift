import Kafka
import Pipeline

extension WeirConfig {
    /// Reads every section of the file into the configuration.
    mutating func apply(_ reader: inout ConfigReader) throws {
        if var r = try reader.section("kafka") {
            bootstrapServers = try r.string("bootstrap_servers") ?? bootstrapServers
            if let topic = try r.string("topic") { setTopic(topic) }
            groupId = try r.string("group_id") ?? groupId
            clientId = try r.string("client_id") ?? clientId
            if let reset = try r.string("auto_offset_reset") {
                guard let v = KafkaConsumerConfig.AutoOffsetReset(rawValue: reset) else {
                    throw ConfigError(key: "kafka.auto_offset_reset", message: "'\(reset)' is not earliest or latest", fix: "use earliest or latest")
                }
                autoOffsetReset = v
            }
            sessionTimeout = try r.duration("session_timeout") ?? sessionTimeout
            maxPollInterval = try r.duration("max_poll_interval") ?? maxPollInterval
            fetchWakeInterval = try r.duration("fetch_wake_interval", allowZero: true) ?? fetchWakeInterval
            connectTimeout = try r.duration("connect_timeout") ?? connectTimeout
            kafkaProperties = try r.stringMap("properties") ?? kafkaProperties
            try r.rejectUnknownKeys(allowed: ["bootstrap_servers", "topic", "group_id", "client_id", "auto_offset_reset",
                                              "session_timeout", "max_poll_interval", "fetch_wake_interval", "connect_timeout",
                                              "properties"])
        }
        if var r = try reader.section("schema") {
            schemaFile = try r.string("file") ?? schemaFile
            pipeline.schemaVersion = try r.string("version") ?? pipeline.schemaVersion
            try r.rejectUnknownKeys(allowed: ["file", "version"])
        }
        if var r = try reader.section("batch") {
            pipeline.maxPollRecords = try r.int("max_poll_records") ?? pipeline.maxPollRecords
            pipeline.maxWait = try r.duration("max_wait") ?? pipeline.maxWait
            pipeline.maxMessageBytes = try r.bytes("max_message_bytes") ?? pipeline.maxMessageBytes
            pipeline.maxDepth = try r.int("max_depth") ?? pipeline.maxDepth
            try r.rejectUnknownKeys(allowed: ["max_poll_records", "max_wait", "max_message_bytes", "max_depth"])
        }
        if var r = try reader.section("dedup") {
            if let key = try r.stringList("key") {
                switch key {
                case ["content_hash"]: pipeline.dedupKey = .contentHash
                case ["none"]: pipeline.dedupKey = .none
                default: pipeline.dedupKey = .fields(key)
                }
            }
            pipeline.dedupTTL = try r.duration("ttl") ?? pipeline.dedupTTL
            try r.rejectUnknownKeys(allowed: ["key", "ttl"])
        }
        if var r = try reader.section("event_time") {
            pipeline.eventTimeField = try r.string("field") ?? pipeline.eventTimeField
            if let format = try r.string("format") { pipeline.eventTimeFormat = try EventTimeFormat.parse(format) }
            pipeline.maxPast = try r.duration("max_past", allowZero: true) ?? pipeline.maxPast
            pipeline.maxFuture = try r.duration("max_future", allowZero: true) ?? pipeline.maxFuture
            try r.rejectUnknownKeys(allowed: ["field", "format", "max_past", "max_future"])
        }
        if var r = try reader.section("lake") {
            outDir = try r.string("out_dir") ?? outDir
            pipeline.table = try r.string("table") ?? pipeline.table
            if let byHour = try r.bool("partition_by_hour") { pipeline.partitioning = HivePartitioning(byHour: byHour) }
            if let unknown = try r.string("unknown_fields") {
                guard unknown == "keep" || unknown == "drop" else {
                    throw ConfigError(key: "lake.unknown_fields", message: "'\(unknown)' is not keep or drop", fix: "use keep or drop")
                }
                pipeline.keepUnknownFields = unknown == "keep"
            }
            pipeline.lineageColumns = try r.bool("lineage") ?? pipeline.lineageColumns
            pipeline.flushRows = try r.int("flush_rows") ?? pipeline.flushRows
            pipeline.flushBytes = try r.bytes("flush_bytes") ?? pipeline.flushBytes
            pipeline.flushInterval = try r.duration("flush_interval") ?? pipeline.flushInterval
            pipeline.parquet.compression = try r.string("compression") ?? pipeline.parquet.compression
            pipeline.parquet.rowGroupRows = try r.int("row_group_rows") ?? pipeline.parquet.rowGroupRows
            pipeline.parquet.pageBytes = try r.bytes("page_bytes") ?? pipeline.parquet.pageBytes
            if var s3Reader = try r.section("s3") { try s3.apply(&s3Reader) }
            try lakeTable.apply(&r, pipeline: &pipeline)
            try r.rejectUnknownKeys(allowed: ["out_dir", "table", "partition_by_hour", "unknown_fields", "lineage", "flush_rows",
                                              "flush_bytes", "flush_interval", "compression", "row_group_rows", "page_bytes",
                                              "s3", "format", "iceberg"])
        }
        if var r = try reader.section("dlq") {
            pipeline.deadLetterTopic = try r.string("topic") ?? pipeline.deadLetterTopic
            deadLetterSink = try r.string("sink") ?? deadLetterSink
            try r.rejectUnknownKeys(allowed: ["topic", "sink"])
        }
        if var r = try reader.section("checkpoint") {
            checkpointPath = try r.string("path") ?? checkpointPath
            checkpointURL = try r.string("url") ?? checkpointURL
            checkpointConnectTimeout = try r.duration("connect_timeout") ?? checkpointConnectTimeout
            try r.rejectUnknownKeys(allowed: ["path", "url", "connect_timeout"])
        }
        if var r = try reader.section("observability") {
            metricsListen = try r.string("listen") ?? metricsListen
            readyMaxCommitAge = try r.duration("ready_max_commit_age") ?? readyMaxCommitAge
            logLevel = try r.string("log_level") ?? logLevel
            logFormat = try r.string("log_format") ?? logFormat
            try r.rejectUnknownKeys(allowed: ["listen", "ready_max_commit_age", "log_level", "log_format"])
        }
    }
}
