import Testing
@testable import Kafka

@Suite("Configuration")
struct ConfigTests {
    @Test("an unknown property fails at construction with librdkafka's message")
    func invalidProperty() {
        let config = KafkaConsumerConfig(bootstrapServers: "127.0.0.1:1", groupId: "g", extra: ["no.such.prop": "1"])
        #expect {
            _ = try KafkaConsumer(config: config)
        } throws: { error in
            "\(error)".contains("No such configuration property") && "\(error)".contains("no.such.prop")
        }
    }

    @Test("an invalid value fails at construction with librdkafka's message")
    func invalidValue() {
        let config = KafkaProducerConfig(bootstrapServers: "127.0.0.1:1", compression: "brotli")
        #expect {
            _ = try KafkaProducer(config: config)
        } throws: { error in
            "\(error)".contains("compression.codec") && "\(error)".contains("Invalid value")
        }
    }

    @Test("secrets are redacted in descriptions and errors")
    func redaction() {
        let extra = ["sasl.password": "hunter2", "ssl.key.password": "kp", "ssl.keystore.password": "ksp",
                     "sasl.oauthbearer.client.secret": "cs", "my.custom.secret": "x9"]
        let c = KafkaConsumerConfig(bootstrapServers: "b:9092", groupId: "g", extra: extra)
        let p = KafkaProducerConfig(bootstrapServers: "b:9092", extra: extra)
        for text in [c.description, p.description, c.redacted, p.redacted, "\(c)"] {
            for secret in ["hunter2", "=kp", "ksp", "=cs", "x9"] { #expect(!text.contains(secret), "\(text)") }
            #expect(text.contains("sasl.password=[REDACTED]"))
            #expect(text.contains("bootstrap.servers=b:9092"))
        }
        let bad = KafkaProducerConfig(bootstrapServers: "b", extra: ["sasl.password": "hunter2", "nope.password": "zz9"])
        #expect {
            _ = try KafkaProducer(config: bad)
        } throws: { error in
            !"\(error)".contains("zz9") && "\(error)".contains("nope.password")
        }
    }

    @Test("typed settings map to librdkafka properties; extra overrides")
    func properties() {
        let c = KafkaConsumerConfig(bootstrapServers: "b", groupId: "g", autoOffsetReset: .latest,
                                    sessionTimeout: .milliseconds(6000), extra: ["fetch.min.bytes": "7"])
        #expect(c.properties["session.timeout.ms"] == "6000")
        #expect(c.properties["auto.offset.reset"] == "latest")
        #expect(c.properties["enable.auto.commit"] == "false")
        #expect(c.properties["fetch.min.bytes"] == "7")
        let p = KafkaProducerConfig(bootstrapServers: "b")
        #expect(p.properties["enable.idempotence"] == "true")
        #expect(p.properties["compression.codec"] == "lz4")
    }
}
