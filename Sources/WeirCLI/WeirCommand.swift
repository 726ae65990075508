import ArgumentParser
import Kafka

/// The `weir` root command. Each subcommand lives in its own file under `Commands/`.
public struct WeirCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "weir",
        abstract: "Near-real-time Kafka → validated, deduplicated, Hive-partitioned Parquet lake.",
        version: "weir \(WeirVersion.string) (librdkafka \(LibrdkafkaInfo.version))",
        subcommands: [DemoCommand.self, RunCommand.self, SimulateCommand.self, BrokerCommand.self, ProduceCommand.self,
                      ValidateCommand.self, CompactCommand.self, CheckpointCommand.self, InspectCommand.self, DLQCommand.self]
    )

    public init() {}
}

extension WeirCommand {
    /// The process entry point: parses `CommandLine.arguments` and runs the chosen subcommand asynchronously.
    public static func runAsMain() async {
        await (WeirCommand.self as AsyncParsableCommand.Type).main()
    }
}
