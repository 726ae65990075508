import ArgumentParser
import Kafka

/// The `weir` root command. Each subcommand lives in its own file under `Commands/`.
public struct WeirCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "weir",
        abstract: "Near-real-time Kafka → validated, deduplicated, Hive-partitioned Parquet lake.",
        version: "weir \(WeirVersion.string) (librdkafka \(LibrdkafkaInfo.version))",
        subcommands: [BrokerCommand.self, ProduceCommand.self]
    )

    public init() {}
}
