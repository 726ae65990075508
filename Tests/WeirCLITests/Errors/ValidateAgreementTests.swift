import Foundation
import Kafka
import Testing
@testable import WeirCLI

/// `weir validate` decides like `weir run` (one `RecordEvaluator`), reads standard input with `-`, and documents
/// `--schema` as optional (it defaults to schema.file like `weir run`).
@Suite struct ValidateAgreementTests {
    static let schema = RepoPaths.root + "/schemas/pi2_events.v1.yaml"
    static let good = #"{"event_id":"e1","ts":"2025-10-30T12:00:00Z","usuario_id":5,"accion":"view"}"#
    static let badTime = #"{"event_id":"e3","ts":"2025-02-30T12:00:00Z","usuario_id":5,"accion":"view"}"#

    /// An `integer` field with no bounds: 2^63 passes the schema's type rule (Cerberus integers are unbounded) but
    /// does not fit the lake's INT64 column, so `weir run` dead-letters it; `weir validate` must say the same.
    @Test func anIntegerBeyond64BitsIsRejectedAsByTheRun() async throws {
        let dir = try RepoPaths.temporaryDirectory("validate-agree")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "event_id: {type: string}\nts: {type: string, required: true}\nn: {type: integer}\n"
            .write(toFile: dir + "/schema.yaml", atomically: true, encoding: .utf8)
        let fits = #"{"event_id":"a","ts":"2025-10-30T12:00:00Z","n":9223372036854775807}"#
        let tooBig = #"{"event_id":"b","ts":"2025-10-30T12:00:00Z","n":9223372036854775808}"#
        let badTime = #"{"event_id":"c","ts":"2025-02-30T12:00:00Z","n":1}"#
        try [fits, tooBig, badTime].joined(separator: "\n").write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let (status, stdout, stderr) = try await ChildProcess.run(RepoPaths.weir, ["validate", "--schema", dir + "/schema.yaml", dir + "/in.jsonl"])
        #expect(status == 1, "\(stderr)")
        #expect(stdout.contains("line 1: valid"), "\(stdout)")
        #expect(stdout.contains("line 2: schema: n: integer out of the 64-bit range of column n"), "\(stdout)")
        #expect(stdout.contains("line 3: bad_timestamp"), "\(stdout)")
        #expect(stdout.contains("summary: 3 lines, 1 valid, 2 invalid (bad_timestamp: 1, schema: 1)"), "\(stdout)")

        // weir run lands exactly the line that validate passes and dead-letters the other two.
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("agree", partitions: 1)
        let (produced, _, produceErr) = try await ChildProcess.run(
            RepoPaths.weir, ["produce", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "agree", "--file", dir + "/in.jsonl"])
        #expect(produced == 0, "\(produceErr)")
        let (ran, runOut, runErr) = try await ChildProcess.run(
            RepoPaths.weir, ["run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "agree", "--group-id", "agree",
                             "--schema", dir + "/schema.yaml", "--out-dir", dir + "/lake", "--dlq-sink", "file",
                             "--session-timeout", "6s", "--until-idle", "3", "--listen", "off"], timeout: .seconds(240))
        #expect(ran == 0, "\(runErr)")
        #expect(runOut.contains("landed    1"), "\(runOut)")
        #expect(runOut.contains("dlq       2  (bad_timestamp=1, schema=1)"), "\(runOut)")
    }

    @Test func aDashReadsStandardInput() async throws {
        let child = try ChildProcess(RepoPaths.weir, ["validate", "--schema", Self.schema, "-"], stdin: Self.good + "\n{}\n")
        let status = await child.wait(timeout: .seconds(60))
        #expect(status == 1, "\(child.stderr)")
        #expect(child.stdout.contains("line 1: valid"))
        #expect(child.stdout.contains("summary: 2 lines, 1 valid, 1 invalid (schema: 1)"), "\(child.stdout)")
    }

    @Test func helpShowsSchemaAsOptional() async throws {
        let (status, stdout, _) = try await ChildProcess.run(RepoPaths.weir, ["validate", "--help"])
        #expect(status == 0)
        #expect(stdout.contains("[--schema <schema>]"), "\(stdout)")
        #expect(stdout.contains("<input>"))
        let (missing, _, missingErr) = try await ChildProcess.run(RepoPaths.weir, ["validate", "--schema", Self.schema, "/nonexistent/in.jsonl"])
        #expect(missing == 2)
        #expect(missingErr.hasPrefix("weir: cannot read the input /nonexistent/in.jsonl: no such file or directory"), "\(missingErr)")
    }
}
