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
    @Option(name: .long, help: "Keep serving /metrics this many seconds after the run, for a final scrape.")
    var linger: Double = 0

    func run() async throws {
        let config = try await failOnConfigError { try options.load() }
        let logger = PipelineOptions.bootstrapLogging(config)
        let summary = try await failOnConfigError {
            let assembly = try PipelineAssembly(config: config)
            let generator = generatorOptions.generator()
            let source = GeneratedRecordSource(count: count, generator: generator)
            var session = RunSession(assembly: assembly, source: source, deadLetters: FileDeadLetterSink(),
                                     options: .init(untilIdle: .milliseconds(200)), logger: logger)
            if linger > 0 { session.linger = .milliseconds(Int64(linger * 1000)) }
            return try await session.run()
        }
        print(summary.render())
    }
}
