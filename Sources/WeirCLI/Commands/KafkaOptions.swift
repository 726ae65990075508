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
        if let bootstrapServers { config.bootstrapServers = bootstrapServers }
        if let connectTimeout {
            config.connectTimeout = try ConfigValueParsers.duration(connectTimeout, key: "--connect-timeout", bare: .seconds)
        }
    }
}

/// A startup failure that is not a bad value but still the operator's to fix (unreachable brokers, a missing topic,
/// a lake directory that is not writable). Printed as `weir: <message> (fix: <fix>)`; exit status 2.
struct StartupError: Error, CustomStringConvertible {
    let message: String
    let fix: String

    var description: String { "\(message) (fix: \(fix))" }
}

enum KafkaStartup {
    /// Checks that a broker answers with the configured properties within `kafka.connect_timeout`.
    /// - Throws: `StartupError` naming the brokers tried, the cause and the fix; `ConfigError` for an invalid
    ///   `kafka.properties` entry that only `rd_kafka_new` detects.
    static func ensureReachable(_ config: WeirConfig) async throws {
        do {
            try await BrokerProbe.check(bootstrapServers: config.bootstrapServers, properties: config.kafkaProperties,
                                        timeout: config.connectTimeout)
        } catch let error as BrokersUnreachable {
            var fix = error.cause.fix
            if error.cause.isAboutTheAddress { fix += "; the brokers come from --bootstrap-servers, KAFKA_BOOTSTRAP_SERVERS or kafka.bootstrap_servers" }
            if !error.cause.isPermanent { fix += "; --connect-timeout (kafka.connect_timeout) waits longer" }
            throw StartupError(message: error.description, fix: fix)
        } catch let error as KafkaError {
            throw kafkaConfigError(error)
        }
    }

    /// A producer, or the configuration error that keeps librdkafka from creating it.
    static func producer(_ config: KafkaProducerConfig) throws -> KafkaProducer {
        do {
            return try KafkaProducer(config: config)
        } catch {
            throw kafkaConfigError(error)
        }
    }

    /// A client that librdkafka refused to create, as a configuration error naming the property where known.
    static func kafkaConfigError(_ error: KafkaError) -> ConfigError {
        ConfigError(key: "kafka.properties" + (error.property.map { "." + $0 } ?? ""), message: error.detail ?? error.reason,
                    fix: "correct or remove the librdkafka property it names")
    }
}
