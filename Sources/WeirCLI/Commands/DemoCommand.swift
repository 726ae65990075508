import ArgumentParser
import Foundation
import Kafka
import Logging
import Pipeline

/// Writes a line to stdout unbuffered, so it keeps its place among the progress lines when stdout is a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// `weir demo`: the whole product on an embedded 3-broker Kafka, ending in a reconciliation.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Weir end to end on an embedded Kafka cluster and reconcile the numbers.",
        discussion: """
            Starts 3 embedded brokers with topics pi2_events (4 partitions) and pi2_events_dlq, produces generated \
            events (some invalid, some duplicated), runs the pipeline with the metrics endpoint up until everything \
            produced is committed, prints a summary and the DuckDB command to query the lake. Exits 0 only if \
            produced = landed + duplicates + DLQ.
            """)

    // `.unconditional`: a negative number is taken as the value (and rejected by `validate`), not as a flag that
    // leaves the option without one ("Missing value").
    @Option(name: .long, parsing: .unconditional, help: "Events to produce (at least 1).")
    var events: Int = 100_000
    @Option(name: .long, parsing: .unconditional, help: "Events per second to produce (0 = as fast as possible).")
    var rate: Int = 0
    @OptionGroup var generatorOptions: GeneratorOptions
    @Option(name: .long, help: "The demo's lake (emptied at start if a previous demo made it).")
    var outDir: String = "datasets/processed/demo"
    @Option(name: .long, help: "Metrics and health listener host:port, or off.")
    var listen: String = "127.0.0.1:9108"
    @Option(name: .long, help: "Cerberus schema file (env SCHEMA_FILE); default: the built-in pi2_events v1 schema.")
    var schema: String?
    @Option(name: .long, help: "Log format: json, text or auto (text when stderr is a terminal).")
    var logFormat: String = "auto"
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical (the default keeps the progress line readable).")
    var logLevel: String = "warning"

    func validate() throws {
        guard events >= 1 else { throw ValidationError("--events must be a positive number of events, not \(events) (e.g. --events 10000)") }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 (as fast as possible) or a positive number of events per second, not \(rate)") }
    }

    func run() async throws {
        var config = WeirConfig()
        config.outDir = outDir
        if let schema {
            config.setSchemaFile(schema, from: "--schema")
        } else if let path = ProcessInfo.processInfo.environment["SCHEMA_FILE"], !path.isEmpty {
            config.setSchemaFile(path, from: "SCHEMA_FILE")
        }
        config.metricsListen = listen
        config.logFormat = logFormat
        config.logLevel = logLevel
        config.origins.record("observability.log_format", from: "--log-format")
        config.origins.record("observability.log_level", from: "--log-level")
        config.groupId = "weir-demo"
        config.sessionTimeout = .seconds(6)
        config.pipeline.flushRows = 20_000
        config.pipeline.flushInterval = .seconds(3)
        config.pipeline.maxWait = .milliseconds(200)
        try await failOnConfigError {
            if S3Location.isObjectStore(outDir) {
                throw ConfigError(key: "--out-dir", message: "weir demo replaces its lake on every run, so it lands only into a local directory",
                                  fix: "give a directory; to land into \(outDir), run `weir run --out-dir \(outDir) --checkpoint-path FILE` (README, \"Lake on S3\")")
            }
            // Before the brokers start. The demo reads no configuration file: the fix names what it does read.
            _ = try PipelineAssembly.loadSchema(config, choosing: "give a Cerberus schema file (YAML or JSON), or neither --schema nor SCHEMA_FILE for the built-in pi2_events v1 schema")
            try config.validate()
        }
        let logger = PipelineOptions.bootstrapLogging(config)
        try DemoLake.prepare(outDir)

        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let report: DemoReport
        do {
            report = try await land(on: cluster, config: config, logger: logger)
        } catch {
            cluster.shutdown()
            throw error
        }
        // Every client of the cluster is closed and released by now (they lived in `land`), so no librdkafka client
        // is left to log "brokers are down" after the summary.
        cluster.shutdown()
        say(report.render())
        guard report.reconciles else { throw ExitCode(1) }
    }

    /// Produces and lands the events on `cluster`; returns the summary. Its Kafka clients (producer, consumer,
    /// DLQ producer) are closed before it returns, and released with its locals.
    private func land(on cluster: EmbeddedKafkaCluster, config: WeirConfig, logger: Logger) async throws -> DemoReport {
        var config = config
        try cluster.createTopic("pi2_events", partitions: 4)
        try cluster.createTopic("pi2_events_dlq", partitions: 1)
        config.bootstrapServers = cluster.bootstrapServers
        say("embedded Kafka: 3 brokers at \(cluster.bootstrapServers); topics pi2_events (4 partitions), pi2_events_dlq")

        let generator = generatorOptions.generator()
        let producer = try DemoProducer(bootstrapServers: cluster.bootstrapServers, topic: "pi2_events", generator: generator)
        let producing = Task { try await producer.produce(count: events, rate: rate) }
        do {
            let assembly = try await failOnConfigError { try PipelineAssembly(config: config) }
            let source = KafkaRecordSource(config: KafkaConsumerConfig(
                bootstrapServers: cluster.bootstrapServers, groupId: config.groupId, sessionTimeout: config.sessionTimeout,
                fetchWakeInterval: config.fetchWakeInterval),
                topic: "pi2_events")
            let deadLetters = try RunCommand.deadLetterSink(config)
            let latencies = LatencyRecorder()
            let progress = ProgressReporter()
            var session = RunSession(assembly: assembly, source: source, deadLetters: deadLetters,
                                     options: .init(stopAfterRecords: events), logger: logger)
            session.onCommit = { latencies.record($0) }
            session.onTick = { state in
                let c = state.committed
                progress.update(processed: state.processed, committed: c.total, landed: c.valid, dlq: c.invalid, lag: state.lag,
                                produced: producer.delivered)
            }
            session.onListening = { address in say("while it runs: metrics at http://\(address)/metrics, health at /healthz and /readyz") }
            let summary = try await failOnConfigError { try await session.run() }
            progress.finish()
            let produced = try await producing.value
            let dlqInTopic = try await producer.messageCount(topic: "pi2_events_dlq")
            await producer.close()
            return DemoReport(produced: produced, summary: summary, dlqInTopic: dlqInTopic,
                              p50: latencies.quantile(0.5), p99: latencies.quantile(0.99), lake: assembly.layout.root)
        } catch {
            producing.cancel()
            _ = try? await producing.value
            await producer.close()
            throw error
        }
    }
}
