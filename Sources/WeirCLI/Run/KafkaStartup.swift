import Foundation
import Kafka
import Pipeline

/// The Kafka checks every command that talks to Kafka runs before it starts work.
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
