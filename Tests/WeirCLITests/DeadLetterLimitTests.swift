import Foundation
import WeirTestSupport
import Kafka
import SeededRandom
import Testing
@testable import WeirCLI

/// Issue 15, item 1: one oversized dead-letter record stopped `weir run` on every restart (`produce to <topic>_dlq:
/// Broker: Message size too large`), and no valid event behind it landed. Three records that used to: a 2 MB
/// event (`too_large`), 180 KB of control characters (JSON escaping makes its envelope about six times larger) and
/// 800 KB of non-UTF-8 bytes (base64). Each must end in the DLQ topic, cut to fit with `truncated: true`, its
/// original size and the SHA-256 of the whole payload, while every valid event lands exactly once.
@Suite(.serialized) struct DeadLetterLimitTests {
    @Test(.timeLimit(.minutes(10)))
    func oversizedAndEscapedRecordsEndTruncatedInTheDLQWhileValidEventsLand() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "big", partitions: 2, dlqPartitions: 2, events: 4_000, seed: 15)
        // The three poison records, produced by a client that allows 4 MB records.
        var tooLarge = Array(#"{"event_id":"huge","ts":"2025-10-29T10:00:00Z","usuario_id":1,"accion":"view","monto":1.0,"note":""#.utf8)
        tooLarge += Array(repeating: UInt8(ascii: "x"), count: 2_000_000) + Array(#""}"#.utf8)
        // Control characters JSON writes as six-byte \u00XX escapes (not \b \t \n \f \r).
        let sixByteControls: [UInt8] = (1..<32).filter { ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains($0) }
        let controls = (0..<180_000).map { sixByteControls[$0 % sixByteControls.count] }
        var random = SplitMix64(seed: 15)
        let binary = (0..<800_000).map { i -> UInt8 in i % 97 == 0 ? 0xFF : UInt8(truncatingIfNeeded: random.next()) }
        let poison = [tooLarge, controls, binary]
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers,
                                                                      extra: ["message.max.bytes": "4000000"]))
        var where_: [String: [UInt8]] = [:]  // "partition/offset" → payload
        for (i, payload) in poison.enumerated() {
            let (p, offset) = try await producer.send(topic: "big", partition: Int32(i % 2), key: nil, value: payload)
            where_["\(p)/\(offset)"] = payload
        }
        await producer.close()

        let lake = try RepoPaths.temporaryDirectory("dlq-limit")
        defer { try? FileManager.default.removeItem(atPath: lake) }
        let (status, stdout, stderr) = try await ChildProcess.run(RepoPaths.weir, [
            "run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "big", "--group-id", "dlq-limit",
            "--out-dir", lake, "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml", "--listen", "off",
            "--session-timeout", "6s", "--flush-interval", "1s", "--log-format", "json", "--until-idle", "5"], timeout: .seconds(400))
        #expect(status == 0, "weir run failed (\(status)):\n\(stdout)\n\(stderr.suffix(3000))")
        #expect(stderr.contains("\"max_record_bytes\":\"1000000\""), "the DLQ record limit is not logged:\n\(stderr.suffix(3000))")

        let stats = try await LakeStats.of(lake)
        #expect(stats.unreadable.isEmpty)
        #expect(stats.rows == expected.validUnique, "landed \(stats.rows) of \(expected.validUnique)")
        #expect(stats.distinct == expected.validUnique)

        let records = try await DeadLetterRecords.read(bootstrap: cluster.bootstrapServers, topic: "big_dlq")
        #expect(records.count == expected.invalid + 3, "DLQ holds \(records.count), expected \(expected.invalid + 3)")
        var found = 0
        var otherTruncated: [String] = []
        for record in records {
            #expect(record.size <= 1_000_000, "a DLQ record of \(record.size) bytes exceeds the producer's limit")
            guard let original = where_[record.source] else {
                if record.envelope["truncated"] as? Bool != false { otherTruncated.append(record.source) }
                continue
            }
            found += 1
            let e = record.envelope
            #expect(e["truncated"] as? Bool == true, "\(record.source) not marked truncated")
            #expect(record.headers["weir.truncated"] == "true")
            #expect((e["payload_bytes"] as? NSNumber)?.intValue == original.count)
            let digest = try Self.sha256sum(original)
            #expect(e["payload_sha256"] as? String == digest, "digest of \(record.source)")
            // The prefix kept is a real prefix of the original, and a substantial one.
            let prefix: [UInt8]
            if let text = e["payload"] as? String {
                prefix = Array(text.utf8)
            } else {
                prefix = Array(Data(base64Encoded: try #require(e["payload_base64"] as? String)) ?? Data())
            }
            #expect(prefix.count > 100_000, "\(record.source) kept only \(prefix.count) bytes")
            #expect(Array(original.prefix(prefix.count)) == prefix, "\(record.source): the payload kept is not a prefix")
        }
        #expect(found == 3, "the DLQ holds \(found) of the 3 oversized records")
        #expect(otherTruncated.isEmpty, "small records not marked complete: \(otherTruncated.prefix(5))")
    }

    /// SHA-256 by coreutils' `sha256sum`, an implementation independent of Weir's.
    static func sha256sum(_ bytes: [UInt8]) throws -> String {
        let file = NSTemporaryDirectory() + "weir-sha-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitForExit()
        return String(decoding: out, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}

/// Every record of a DLQ topic: its size, `weir.*` headers and decoded envelope.
struct DeadLetterRecords {
    let size: Int
    let headers: [String: String]
    let envelope: [String: Any]
    var source: String { "\(headers["weir.source.partition"] ?? "?")/\(headers["weir.source.offset"] ?? "?")" }

    static func read(bootstrap: String, topic: String) async throws -> [DeadLetterRecords] {
        try await DeadLetterTopic.records(bootstrap: bootstrap, topic: topic).map { record in
            let value = record.value ?? []
            let envelope = (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any] ?? [:]
            let size = value.count + (record.key?.count ?? 0) + record.headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) }
            return DeadLetterRecords(size: size, headers: DeadLetterTopic.headerText(record), envelope: envelope)
        }
    }
}
