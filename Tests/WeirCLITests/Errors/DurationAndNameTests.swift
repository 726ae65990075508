import Foundation
import Kafka
import Pipeline
import Testing
@testable import WeirCLI

/// One duration parser for every flag and key, and one set of names for every command that talks to Kafka.
@Suite struct DurationAndNameTests {
    @Test func durationsTakeAUnitOrDocumentedSeconds() throws {
        #expect(try ConfigValueParsers.duration("500ms", key: "k") == .milliseconds(500))
        #expect(try ConfigValueParsers.duration("10s", key: "k") == .seconds(10))
        #expect(try ConfigValueParsers.duration("2m", key: "k") == .seconds(120))
        #expect(try ConfigValueParsers.duration("1.5h", key: "k") == .seconds(5400))
        #expect(try ConfigValueParsers.duration("7d", key: "k") == .seconds(7 * 86_400))
        #expect(try ConfigValueParsers.duration("5", key: "--flush-interval", bare: .seconds) == .seconds(5))
        #expect(try ConfigValueParsers.duration("0s", key: "k", allowZero: true) == .zero)
        func message(_ text: String, bare: ConfigValueParsers.BareNumber = .rejected) -> String {
            do {
                _ = try ConfigValueParsers.duration(text, key: "--x", bare: bare)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(message("-5s").contains("--x: '-5s' must be positive"))
        #expect(message("-5", bare: .seconds).contains("must be positive"))
        #expect(message("0s").contains("must be positive"))
        #expect(message("5").contains("'5' has no unit"))
        #expect(message("5 parsecs").contains("unknown unit 'parsecs'"))
        #expect(message("soon").contains("'soon' is not a duration"))
    }

    @Test func aNegativeFlagValueIsNotMissing() async throws {
        let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, ["run", "--flush-interval", "-5s", "--listen", "off"])
        #expect(status == 2)
        #expect(stderr.contains("weir: invalid configuration: --flush-interval: '-5s' must be positive"), "\(stderr)")
        let (idle, _, idleErr) = try await ChildProcess.run(RepoPaths.weir, ["run", "--until-idle", "ten", "--listen", "off"])
        #expect(idle == 2)
        #expect(idleErr.contains("--until-idle: 'ten' is not a duration"), "\(idleErr)")
    }

    @Test func produceReadsTheEnvironmentAndTheConfigFileLikeRun() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("from_env", partitions: 2)
        try cluster.createTopic("from_file", partitions: 1)
        let (status, stdout, stderr) = try await ChildProcess.run(
            RepoPaths.weir, ["produce", "--count", "20"],
            environment: ["KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers, "KAFKA_TOPIC": "from_env"])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.contains("produced 20 to from_env: delivered=20"), "\(stdout)")

        let dir = try RepoPaths.temporaryDirectory("produce-config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "kafka:\n  bootstrap_servers: \(cluster.bootstrapServers)\n  topic: from_file\n"
            .write(toFile: dir + "/weir.yaml", atomically: true, encoding: .utf8)
        let (fileStatus, fileOut, fileErr) = try await ChildProcess.run(RepoPaths.weir, ["produce", "--config", dir + "/weir.yaml", "--count", "5"])
        #expect(fileStatus == 0, "\(fileErr)")
        #expect(fileOut.contains("produced 5 to from_file: delivered=5"), "\(fileOut)")
    }

    @Test func everyKafkaCommandSpellsTheSameFlags() async throws {
        for command in [["run"], ["produce"], ["dlq", "replay"]] {
            let (_, help, _) = try await ChildProcess.run(RepoPaths.weir, command + ["--help"])
            #expect(help.contains("--bootstrap-servers"), "\(command)")
            #expect(help.contains("--connect-timeout"), "\(command)")
        }
        for command in [["run"], ["dlq", "replay"]] {
            let (_, help, _) = try await ChildProcess.run(RepoPaths.weir, command + ["--help"])
            #expect(help.contains("--group-id"), "\(command)")
        }
    }
}

/// A value outside a flag's set is rejected with the accepted values, never silently replaced by a default.
@Suite struct SetValuedFlagTests {
    @Test func anUnknownLogFormatIsRejected() async throws {
        let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, ["run", "--log-format", "yaml", "--listen", "off"])
        #expect(status == 2)
        #expect(stderr.contains("weir: invalid configuration: observability.log_format (set by --log-format): unknown format 'yaml' (fix: use json, text or auto)"),
                "\(stderr)")
    }
}
