import Foundation
@testable import Kafka

/// Shared helpers for the Kafka tests: each test starts its own embedded cluster.
enum Support {
    static func cluster(topic: String, partitions: Int, brokers: Int = 3) throws -> EmbeddedKafkaCluster {
        let c = try EmbeddedKafkaCluster(brokers: brokers)
        try c.createTopic(topic, partitions: partitions)
        return c
    }

    static func consumerConfig(_ bootstrap: String, group: String) -> KafkaConsumerConfig {
        KafkaConsumerConfig(bootstrapServers: bootstrap, groupId: group, sessionTimeout: .milliseconds(6000),
                            extra: ["log_level": "3"])
    }

    static func producer(_ bootstrap: String, compression: String = "lz4") throws -> KafkaProducer {
        try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: bootstrap, compression: compression,
                                                      extra: ["log_level": "3"]))
    }

    /// Polls until `count` records arrived. `deadline` is a safety net against a consumer that never gets them, not a
    /// budget: it also covers the group join, which on a busy machine can take well over a minute.
    static func consume(_ consumer: KafkaConsumer, count: Int, within deadline: Duration = .seconds(600)) async throws -> [KafkaRecord] {
        var out: [KafkaRecord] = []
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while out.count < count, clock.now < end {
            out += try await consumer.poll(maxRecords: 10_000, timeout: .milliseconds(500))
        }
        return out
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
}
