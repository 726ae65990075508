import Foundation
import Pipeline
import Testing
@testable import WeirCLI

/// Issue 19: the DLQ producer's `message.timeout.ms` bounds how long a new owner of a partition waits for the
/// deliveries of the instance that lost it, so it is 30 s unless `kafka.properties` sets it, and 0 (no limit)
/// is refused with the key and the fix.
@Suite struct DeadLetterProducerTimeoutTests {
    @Test func theDLQProducersMessageTimeoutIsBoundedAndZeroIsRefused() async throws {
        var config = WeirConfig()
        config.bootstrapServers = "127.0.0.1:1"  // never contacted: creating the producer connects to nothing yet
        let byDefault = try #require(try RunCommand.deadLetterSink(config) as? KafkaDeadLetterSink)
        #expect(byDefault.messageTimeout == .milliseconds(RunCommand.deadLetterMessageTimeoutMs))
        #expect(byDefault.deliveryTimeout == .seconds(30))
        await byDefault.close()
        config.kafkaProperties["delivery.timeout.ms"] = "45000"
        let given = try #require(try RunCommand.deadLetterSink(config) as? KafkaDeadLetterSink)
        #expect(given.messageTimeout == .seconds(45))
        await given.close()
        config.kafkaProperties["message.timeout.ms"] = "0"
        do {
            _ = try RunCommand.deadLetterSink(config)
            Issue.record("message.timeout.ms 0 was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "kafka.properties.message.timeout.ms")
            #expect(error.fix.contains("remove it (default 30000)"), "\(error)")
        }
        config.kafkaProperties["message.timeout.ms"] = nil
        config.kafkaProperties["delivery.timeout.ms"] = "0"
        do {
            _ = try RunCommand.deadLetterSink(config)
            Issue.record("delivery.timeout.ms 0 was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "kafka.properties.delivery.timeout.ms", "the key given is named: \(error)")
        }
        #expect(try RunCommand.deadLetterSink({ var c = config; c.deadLetterSink = "file"; return c }()).deliveryTimeout == nil,
                "the file DLQ needs no permit")
    }
}
