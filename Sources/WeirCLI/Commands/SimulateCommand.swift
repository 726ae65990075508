import ArgumentParser
import Foundation
import Pipeline

/// `weir simulate`: the original notebook's simulation mode, with no Kafka.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run generated pi2 events through every stage with no Kafka; the DLQ goes to OUT_DIR/_dlq/.",
        discussion: "Resumable: a run killed midway and started again with the same flags lands each event exactly once.")

    @OptionGroup var options: PipelineOptions
    @Option(name: .long, help: "Number of events to generate.")
    var count: Int = 10_000
    @OptionGroup var generatorOptions: GeneratorOptions
    @Option(name: .long, parsing: .unconditional,
            help: "Keep serving /metrics this long after the run, for a final scrape: seconds or a duration, e.g. 60 or 1m.")
    var linger: String?

    func run() async throws {
        let config = try await failOnConfigError { try options.load() }
        let linger = try await failOnConfigError { try self.linger.map { try ConfigValueParsers.duration($0, key: "--linger", bare: .seconds) } }
        let logger = PipelineOptions.bootstrapLogging(config)
        let summary = try await failOnConfigError {
            let assembly = try PipelineAssembly(config: config)
            let generator = generatorOptions.generator()
            let source = GeneratedRecordSource(count: count, generator: generator)
            var session = RunSession(assembly: assembly, source: source, deadLetters: FileDeadLetterSink(),
                                     options: .init(untilIdle: .milliseconds(200)), logger: logger)
            session.linger = linger
            return try await session.run()
        }
        print(summary.render())
    }
}
