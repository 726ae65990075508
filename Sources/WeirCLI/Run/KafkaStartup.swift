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

    /// The partition count of `topic`, waiting up to `kafka.connect_timeout` for a topic that is being created.
    /// Call after `ensureReachable`, so a failure here is about the topic, not the brokers.
    /// - Parameters:
    ///   - role: how the message names the topic, e.g. `source topic`.
    ///   - autoCreate: whether the metadata request may ask the brokers to create the topic (librdkafka's
    ///     `allow.auto.create.topics`); false for a source topic, so a misspelt name is reported, not created.
    /// - Throws: `StartupError` naming the topic, the brokers and `fix`.
    @discardableResult
    static func ensureTopic(_ topic: String, _ config: WeirConfig, role: String, fix: String, autoCreate: Bool) async throws -> Int {
        var properties = config.kafkaProperties
        properties["allow.auto.create.topics"] = autoCreate ? "true" : "false"
        let producer = try Self.producer(KafkaProducerConfig(bootstrapServers: config.bootstrapServers, clientId: config.clientId + "-check",
                                                             extra: properties))
        var partitions: Int?
        var lastError: KafkaError?
        let deadline = ContinuousClock.now + config.connectTimeout
        repeat {
            do {
                partitions = try await producer.partitionCount(topic: topic, timeout: .seconds(5))
            } catch {
                lastError = error
                try? await Task.sleep(for: .milliseconds(500))
            }
        } while partitions == nil && ContinuousClock.now < deadline
        await producer.close(flushTimeout: .zero)
        guard let partitions, partitions > 0 else {
            throw StartupError(message: "the \(role) '\(topic)' does not exist on the brokers at \(config.bootstrapServers)"
                                   + (lastError.map { " (\($0.detail ?? $0.reason))" } ?? ""), fix: fix)
        }
        return partitions
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
