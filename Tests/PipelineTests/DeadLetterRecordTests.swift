import EventSchema
import Foundation
import Testing
@testable import Pipeline

@Suite struct DeadLetterRecordTests {
    func record(_ payload: [UInt8]?, reason: RejectionReason = .parseError, micros: Int64 = 1_761_825_600_123_456) -> DeadLetterRecord {
        DeadLetterRecord(sourceTopic: "pi2_events", sourcePartition: 3, sourceOffset: 42, sourceTimestampMs: 1_700_000_000_000,
                         key: Array("k".utf8), payload: payload,
                         rejection: Rejection(reason: reason, stage: "decode", detail: "truncated"),
                         schemaVersion: "v1", failedAtMicros: micros)
    }

    func envelope(_ r: DeadLetterRecord) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(JSONWriter.write(r.envelope))) as! [String: Any]
    }

    @Test func utf8PayloadIsText() throws {
        let e = try envelope(record(Array("{\"a\":\"é\"".utf8)))
        #expect(e["payload"] as? String == "{\"a\":\"é\"")
        #expect(e["payload_base64"] is NSNull)
        #expect(e["reason"] as? String == "parse_error")
        #expect(e["stage"] as? String == "decode")
        #expect(e["detail"] as? String == "truncated")
        #expect(e["schema_version"] as? String == "v1")
        // 1_761_825_600 is 2025-10-30T12:00:00Z.
        #expect(e["failed_at"] as? String == "2025-10-30T12:00:00.123456Z")
        let source = try #require(e["source"] as? [String: Any])
        #expect(source["topic"] as? String == "pi2_events")
        #expect(int64(source["partition"]) == 3)
        #expect(int64(source["offset"]) == 42)
        #expect(int64(source["timestamp_ms"]) == 1_700_000_000_000)
    }

    @Test func nonUTF8PayloadIsBase64() throws {
        let e = try envelope(record([0xFF, 0x00, 0x7B]))
        #expect(e["payload"] is NSNull)
        #expect(e["payload_base64"] as? String == "/wB7")
        let latin1 = try envelope(record([0x22, 0xE9, 0x22]))
        #expect(latin1["payload_base64"] as? String == "Iuki")
    }

    @Test func tombstoneHasBothNullAndEmptyIsText() throws {
        let t = try envelope(record(nil, reason: .tombstone))
        #expect(t["payload"] is NSNull && t["payload_base64"] is NSNull)
        #expect(t["reason"] as? String == "tombstone")
        let empty = try envelope(record([]))
        #expect(empty["payload"] as? String == "")
        #expect(empty["payload_base64"] is NSNull)
    }

    @Test func headersCarryReasonAndSourceCoordinates() {
        let h = Dictionary(uniqueKeysWithValues: record(nil, reason: .badTimestamp, micros: -1).headerPairs)
        #expect(h["weir.reason"] == "bad_timestamp")
        #expect(h["weir.stage"] == "decode")
        #expect(h["weir.source.topic"] == "pi2_events")
        #expect(h["weir.source.partition"] == "3")
        #expect(h["weir.source.offset"] == "42")
        #expect(h["weir.schema_version"] == "v1")
        #expect(h["weir.failed_at"] == "1969-12-31T23:59:59.999999Z")
    }

    @Test func schemaRejectionCarriesErrors() throws {
        let error = ValidationError(path: ["monto"], rule: "min", constraint: "0", message: "min value is 0")
        let r = DeadLetterRecord(sourceTopic: "t", sourcePartition: 0, sourceOffset: 0, sourceTimestampMs: nil, key: nil,
                                 payload: Array("{}".utf8),
                                 rejection: Rejection(reason: .schema, stage: "validate", detail: "min", errors: [error],
                                                      errorTree: .object(JSONObject([("monto", .array([.string("min value is 0")]))]))),
                                 schemaVersion: "v1", failedAtMicros: 0)
        let e = try envelope(r)
        #expect((e["errors"] as? [String: Any])?["monto"] as? [String] == ["min value is 0"])
        let details = try #require(e["error_details"] as? [[String: Any]])
        #expect(details.count == 1)
        #expect(details.first?["rule"] as? String == "min")
        #expect(details.first?["path"] as? [String] == ["monto"])
        #expect((e["source"] as? [String: Any])?["timestamp_ms"] is NSNull)
        #expect(e["failed_at"] as? String == "1970-01-01T00:00:00.000000Z")
    }

    // MARK: bounded envelopes (issue 15)

    func bounded(_ payload: [UInt8], max: Int, errors: [ValidationError] = []) throws -> (bytes: [UInt8], e: [String: Any], truncated: Bool) {
        let r = DeadLetterRecord(sourceTopic: "pi2_events", sourcePartition: 3, sourceOffset: 42, sourceTimestampMs: 1, key: nil,
                                 payload: payload, rejection: Rejection(reason: .parseError, stage: "decode", detail: "x", errors: errors),
                                 schemaVersion: "v1", failedAtMicros: 0)
        let b = r.boundedEnvelope(maxBytes: max)
        let e = try #require(try JSONSerialization.jsonObject(with: Data(b.bytes)) as? [String: Any])
        return (b.bytes, e, b.truncated)
    }

    @Test func smallEnvelopesAreCompleteAndUnchanged() throws {
        let payload = Array(#"{"a":1}"#.utf8)
        let (bytes, e, truncated) = try bounded(payload, max: 1_000_000)
        #expect(!truncated && e["truncated"] as? Bool == false && e["payload"] as? String == #"{"a":1}"#)
        let r = record(payload)
        #expect(r.boundedEnvelope(maxBytes: 1_000_000).bytes == r.encodedEnvelope && bytes.count < 1_000)
        #expect(e["payload_sha256"] == nil && e["payload_bytes"] == nil)
    }

    /// Escaping is counted: 180 KB of control characters (about six bytes each once escaped) fit 100,000 bytes
    /// as a prefix, filling the budget to within one escape, with the original size and digest.
    @Test func escapedTextIsCutToTheBudgetWithSizeAndDigest() throws {
        let controls = (0..<180_000).map { UInt8(1 + $0 % 31) }
        let (bytes, e, truncated) = try bounded(controls, max: 100_000)
        #expect(truncated && bytes.count <= 100_000 && bytes.count > 100_000 - 6, "\(bytes.count) bytes")
        #expect(e["truncated"] as? Bool == true)
        #expect((e["payload_bytes"] as? NSNumber)?.intValue == 180_000)
        #expect(e["payload_sha256"] as? String == SHA256Digest.hex(controls))
        let kept = Array(try #require(e["payload"] as? String).utf8)
        #expect(kept.count > 10_000 && kept == Array(controls.prefix(kept.count)))
    }

    /// Non-UTF-8 payloads keep a base64 prefix of the raw bytes; UTF-8 text is never cut inside a character.
    @Test func binaryKeepsABase64PrefixAndTextKeepsWholeCharacters() throws {
        let binary = (0..<800_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) | ($0 % 50 == 0 ? 0xFF : 0) }
        let (bytes, e, _) = try bounded(binary, max: 50_000)
        #expect(bytes.count <= 50_000 && e["payload"] is NSNull)
        let kept = [UInt8](Data(base64Encoded: try #require(e["payload_base64"] as? String)) ?? Data())
        #expect(kept.count > 30_000 && kept == Array(binary.prefix(kept.count)))
        #expect(e["payload_sha256"] as? String == SHA256Digest.hex(binary))

        let text = Array(String(repeating: "é€😀", count: 20_000).utf8)
        for max in 2_000..<2_012 {
            let (b, cut, _) = try bounded(text, max: max)
            let kept = try #require(cut["payload"] as? String)
            #expect(b.count <= max && text.starts(with: Array(kept.utf8)), "max \(max)")
        }
    }

    /// Errors too large to fit (a huge value quoted in a message) are summarized: `errors` null, `error_details`
    /// cut to 20 entries of 256-byte texts, and the envelope still fits.
    @Test func hugeErrorsAreSummarizedToFit() throws {
        let huge = String(repeating: "v", count: 300_000)
        let errors = (0..<50).map { ValidationError(path: ["f\($0)"], rule: "allowed", constraint: nil, message: "unallowed value " + huge) }
        let (bytes, e, truncated) = try bounded(Array("{}".utf8), max: 20_000, errors: errors)
        #expect(truncated && bytes.count <= 20_000, "\(bytes.count)")
        #expect(e["errors"] is NSNull)
        let details = try #require(e["error_details"] as? [[String: Any]])
        #expect(details.count == 20 && details.allSatisfy { ($0["message"] as? String)?.utf8.count ?? 999 <= 256 })
        #expect(e["payload"] as? String == "{}")
    }

    @Test func sizeLimitIsTheSmallerOfTopicAndProducer() {
        #expect(DeadLetterSizeLimit.resolve(topicMaxMessageBytes: nil, producerMessageMaxBytes: nil).maxRecordBytes == 1_000_000)
        let topic = DeadLetterSizeLimit.resolve(topicMaxMessageBytes: 200_000, producerMessageMaxBytes: nil)
        #expect(topic.maxRecordBytes == 200_000 && topic.source == "topic max.message.bytes")
        let producer = DeadLetterSizeLimit.resolve(topicMaxMessageBytes: 1_048_588, producerMessageMaxBytes: 500_000)
        #expect(producer.maxRecordBytes == 500_000 && producer.source == "producer message.max.bytes")
        let budget = topic.envelopeBudget(keyBytes: 100, headers: [("weir.reason", "schema")])
        #expect(budget == 200_000 - DeadLetterSizeLimit.framingReserve - 100 - ("weir.reason".utf8.count + 6 + 10))
    }
}
