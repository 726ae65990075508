import ArgumentParser
import Foundation
import Kafka

/// `weir produce`: sends generated pi2 events or a JSON Lines / CSV file to a topic, then reports
/// delivered and failed counts and (by default) checks that the brokers kept everything.
public struct ProduceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce generated pi2 events or a JSONL/CSV file into a Kafka topic.")

    @Option(name: [.customLong("bootstrap"), .customLong("bootstrap-servers")],
            help: "Bootstrap servers (host:port,…); required unless --print.") var bootstrap: String?
    @Option(help: "Target topic (required unless --print).") var topic: String = ""
    @Option(help: "JSON Lines file, or CSV with a header (.csv); omit to generate pi2 events.") var file: String?
    @Option(help: "Number of events to generate.") var count: Int = 10_000
    @Option(help: "Events per second (omit for unlimited).") var rate: Double?
    @OptionGroup var generatorOptions: GeneratorOptions
    @Option(help: "UTC days the timestamps spread over.") var days: Int = 3
    @Option(help: "compression.codec: none, gzip, snappy, lz4, zstd.") var compression: String = "lz4"
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
        if !print && ((bootstrap ?? "").isEmpty || topic.isEmpty) {
            throw ValidationError("--bootstrap (non-empty host:port list) and --topic are required (or use --print)")
        }
    }

    public func run() async throws {
        var extra: [String: String] = [:]
        for p in properties {
            guard let eq = p.firstIndex(of: "=") else { throw ValidationError("--property \(p): expected key=value") }
            extra[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        var source = try file.map(ProduceSource.file)
            ?? .generated(generatorOptions.generator(days: days), count: count)
        if print { return try printLines(&source) }
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: bootstrap!, compression: compression, extra: extra))
        // Fail fast on an unreachable cluster or a missing topic instead of retrying each message for
        // message.timeout.ms (5 minutes).
        guard let partitions = try? await producer.partitionCount(topic: topic, timeout: .seconds(15)), partitions > 0 else {
            await producer.close()
            let message = "weir: topic '\(topic)' does not exist or the brokers at \(bootstrap!) cannot be reached within 15 s "
                + "(fix: check --bootstrap-servers, and create the topic, e.g. weir broker --topic \(topic):4)\n"
            FileHandle.standardError.write(Data(message.utf8))
            throw ExitCode(2)
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
