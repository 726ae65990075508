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
}
