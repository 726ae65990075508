import ArgumentParser
import Foundation
import Kafka

/// `weir produce`: sends generated pi2 events or a JSON Lines / CSV file to a topic, then reports
/// delivered and failed counts and (by default) checks that the brokers kept everything.
public struct ProduceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce generated pi2 events or a JSONL/CSV file into a Kafka topic.",
        discussion: """
            Reads the same configuration as weir run: weir.yaml (or --config), then KAFKA_BOOTSTRAP_SERVERS and \
            KAFKA_TOPIC, then flags; kafka.properties apply too (TLS, SASL).
            """)

    @Option(name: .long, help: "Configuration file (default: ./weir.yaml if present); kafka.* keys apply.")
    var config: String?
    @OptionGroup var kafka: KafkaOptions
    @Option(help: "Target topic (env KAFKA_TOPIC, key kafka.topic, default pi2_events).") var topic: String?
    @Option(help: "JSON Lines file, or CSV with a header (.csv); omit to generate pi2 events.") var file: String?
    @Option(help: "Number of events to generate.") var count: Int = 10_000
    @Option(help: "Events per second (omit for unlimited).") var rate: Double?
    @OptionGroup var generatorOptions: GeneratorOptions
    @Option(help: "UTC days the timestamps spread over.") var days: Int = 3
    @Option(help: "Compression codec: none, gzip, snappy, lz4 or zstd.") var compression: String = "lz4"
    @Option(help: "Messages per delivery batch.") var batchSize: Int = 10_000
    @Option(help: "Write the generator's expected summary (JSON) to this path.") var expectedOut: String?
    @Option(name: .customLong("property"), help: "Extra librdkafka property key=value (repeatable).")
    var properties: [String] = []
    @Flag(help: "Write the lines to stdout (JSON Lines) instead of producing them; no broker needed.")
    var print = false
    @Flag(inversion: .prefixedNo, help: "After flushing, fail if any partition's low watermark moved past 0.")
    var checkRetention = true

    public init() {}

    public func validate() throws {
        guard count >= 0, batchSize >= 1, days >= 1 else { throw ValidationError("--count, --batch-size, --days must be positive") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        if let topic, topic.isEmpty { throw ValidationError("--topic must not be empty") }
        if !["none", "gzip", "snappy", "lz4", "zstd"].contains(compression) {
            throw ValidationError("--compression must be none, gzip, snappy, lz4 or zstd, not '\(compression)'")
        }
        for p in properties where !p.contains("=") { throw ValidationError("--property \(p): expected key=value") }
    }

    public func run() async throws {
        var source = try await failOnConfigError { try file.map(Self.readFile) }
            ?? .generated(generatorOptions.generator(days: days), count: count)
        if print { return try printLines(&source) }
        let settings = try await failOnConfigError {
            var loaded = try WeirConfig.load(path: config)
            try kafka.apply(to: &loaded)
            if let topic = self.topic { loaded.setTopic(topic) }
            for p in properties {
                let eq = p.firstIndex(of: "=")!
                loaded.kafkaProperties[String(p[..<eq])] = String(p[p.index(after: eq)...])
            }
            try loaded.validate()
            return loaded
        }
        let topic = settings.pipeline.topic
        // Fail fast on an unreachable cluster or a missing topic instead of retrying each message for
        // message.timeout.ms (5 minutes).
        try await failOnConfigError { try await KafkaStartup.ensureReachable(settings) }
        let producer = try await failOnConfigError {
            try KafkaStartup.producer(KafkaProducerConfig(bootstrapServers: settings.bootstrapServers, clientId: settings.clientId,
                                                          compression: compression, extra: settings.kafkaProperties))
        }
        let partitions: Int
        do {
            partitions = try await failOnConfigError {
                try await KafkaStartup.ensureTopic(topic, settings, role: "topic",
                                                   fix: "create it, e.g. weir broker --topic \(topic):4, or choose another with --topic or KAFKA_TOPIC",
                                                   autoCreate: true)
            }
        } catch {
            await producer.close()
            throw error
        }
        let total = source.total
        let runs = PartitionRuns(total: total, partitions: partitions)
        let clock = ContinuousClock()
        let start = clock.now
        var sent = 0, delivered = 0, failed = 0
        var firstError: KafkaError?
        let step = rate.map { max(1, min(batchSize, Int($0 / 10))) } ?? batchSize
        while sent < total {
            let payloads = source.take(min(step, total - sent), from: sent)
            let first = sent
            let counts = try await producer.sendAllCounting(payloads.enumerated().map { i, value in
                KafkaOutgoingMessage(topic: topic, partition: runs.partition(ofMessage: first + i), value: value)
            })
            delivered += counts.delivered
            failed += counts.failed
            firstError = firstError ?? counts.firstError
            sent += payloads.count
            if let rate {
                let due = start + .seconds(Double(sent) / rate)
                if due > clock.now { try await Task.sleep(until: due, clock: clock) }
            }
        }
        try await producer.flush(timeout: .seconds(60))
        let elapsed = clock.now - start
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        Swift.print("produced \(total) to \(topic): delivered=\(delivered) failed=\(failed) in \(String(format: "%.2f", secs)) s (\(Int(Double(delivered) / max(secs, 1e-9))) msg/s)")
        if let firstError { Swift.print("first delivery failure: \(firstError)") }
        if let expected = source.expected {
            Swift.print("expected: valid_unique=\(expected.validUnique) sum_monto=\(expected.sumMonto) per_date=\(expected.perDate.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))")
            try writeExpected(expected)
        }
        var lost: [RetentionViolation] = []
        if checkRetention { lost = try await producer.retentionViolations(topic: topic) }
        await producer.close()
        if !lost.isEmpty {
            throw ProduceFailure(message: """
                retention check FAILED: the broker already dropped records (silent loss; the embedded mock cluster \
                keeps only ~5 MiB / 100k message sets per partition): \(lost.map(\.description).joined(separator: "; ")). \
                Compress (--compression lz4/zstd), use more partitions, or produce fewer events.
                """)
        }
        if failed > 0 { throw ExitCode(1) }  // some records were not delivered (counts printed above)
    }

    /// Reads `--file`; a file that cannot be read is a usage error naming the path and the reason.
    static func readFile(_ path: String) throws -> ProduceSource {
        do {
            return try ProduceSource.file(path)
        } catch {
            if let problem = FileProblem(error, operation: "read --file", path: path, status: 2) {
                throw StartupError(message: "cannot read --file \(path): \(problem.reason)", fix: problem.fix)
            }
            throw StartupError(message: "cannot read --file \(path): \(error.localizedDescription)",
                               fix: "give a UTF-8 JSON Lines file, or a CSV file with a header")
        }
    }

    private func writeExpected(_ expected: Pi2EventGenerator.Expected) throws {
        guard let expectedOut else { return }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(expected).write(to: URL(fileURLWithPath: expectedOut))
    }

    /// `--print`: all lines to stdout, newline-terminated.
    private func printLines(_ source: inout ProduceSource) throws {
        var sent = 0
        let out = FileHandle.standardOutput
        while sent < source.total {
            let chunk = source.take(min(10_000, source.total - sent), from: sent)
            var data = Data()
            for line in chunk { data.append(contentsOf: line); data.append(0x0A) }
            out.write(data)
            sent += chunk.count
        }
        if let expected = source.expected { try writeExpected(expected) }
    }
}

/// A failure after producing (printed as `Error: <message>` without the usage text; exit status 1).
struct ProduceFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
