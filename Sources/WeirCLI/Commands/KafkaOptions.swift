import ArgumentParser
import Foundation
import Kafka
import Pipeline

/// The Kafka connection flags of every command that talks to Kafka (`run`, `produce`, `dlq replay`). Each overrides
/// the configuration file (`kafka.*`) and the environment (`KAFKA_BOOTSTRAP_SERVERS`).
struct KafkaOptions: ParsableArguments {
    @Option(name: [.customLong("bootstrap-servers"), .customLong("bootstrap")],
            help: "Kafka brokers, host:port[,host:port…] (env KAFKA_BOOTSTRAP_SERVERS, key kafka.bootstrap_servers, default localhost:9092).")
    var bootstrapServers: String?
    @Option(name: .long, parsing: .unconditional,
            help: "How long to keep trying to reach a broker at startup before exiting 2 with the cause: seconds or a duration, e.g. 15s (key kafka.connect_timeout, default 15s).")
    var connectTimeout: String?

    /// Applies the flags to `config`.
    /// - Throws: `ConfigError` for a bad `--connect-timeout`.
    func apply(to config: inout WeirConfig) throws {
        if let bootstrapServers {
            config.bootstrapServers = bootstrapServers
            config.origins.record("kafka.bootstrap_servers", from: "--bootstrap-servers")
        }
        if let connectTimeout {
            config.connectTimeout = try ConfigValueParsers.duration(connectTimeout, key: "--connect-timeout", bare: .seconds)
        }
    }
}
