import EventSchema
import Foundation
import Testing
@testable import Pipeline

/// The envelope writer (issue 21: written straight to bytes) gives exactly the bytes of `JSONWriter.write` of the
/// same members built as a `JSONValue` object: complete, truncated and minimal forms, text with escapes and
/// non-ASCII, non-UTF-8 (base64), tombstones, and schema errors.
@Suite struct DeadLetterEnvelopeBytesTests {
    static func record(_ payload: [UInt8]?, errors: [ValidationError] = [], timestamp: Int64? = 1_700_000_000_000) -> DeadLetterRecord {
        let tree: JSONValue = errors.isEmpty ? .null
            : .object(JSONObject(errors.map { ($0.path.joined(separator: "."), .array([.string($0.message)])) }))
        return DeadLetterRecord(sourceTopic: "pi2_\"events\"", sourcePartition: 7, sourceOffset: 123_456_789,
                                sourceTimestampMs: timestamp, key: nil, payload: payload,
                                rejection: Rejection(reason: errors.isEmpty ? .parseError : .schema, stage: "validate",
                                                     detail: "regex", errors: errors, errorTree: tree),
                                schemaVersion: "v1 \u{e9}", failedAtMicros: 1_761_825_600_123_456)
    }

    /// The envelope as a `JSONValue`, member by member, for the shape `DeadLetterEnvelope.encode` writes.
    static func reference(_ r: DeadLetterRecord, prefix: Int?, sha256: String?, errors: DeadLetterEnvelope.Shape.Errors) -> [UInt8] {
        let text = r.payload.flatMap { String(validating: $0, as: UTF8.self) } != nil
        let payload = r.payload.map { p in Array(p.prefix(prefix ?? p.count)) }
        var members: [(String, JSONValue)] = [
            ("payload", text ? .string(String(decoding: payload!, as: UTF8.self)) : .null),
            ("payload_base64", !text && payload != nil ? .string(Data(payload!).base64EncodedString()) : .null),
            ("truncated", .bool(prefix != nil)),
        ]
        if prefix != nil {
            members.append(("payload_bytes", .int(Int64(r.payload?.count ?? 0))))
            members.append(("payload_sha256", sha256.map { .string($0) } ?? .null))
        }
        let details = errors == .complete ? r.rejection.errors[...] : errors == .summary ? r.rejection.errors.prefix(20) : []
        let cut: (String) -> String = { errors == .complete ? $0 : DeadLetterEnvelope.cutText($0) }
        members += [
            ("reason", .string(r.rejection.reason.rawValue)), ("detail", .string(r.rejection.detail)),
            ("stage", .string(r.rejection.stage)), ("errors", errors == .complete ? r.rejection.errorTree : .null),
            ("error_details", .array(details.map { e in .object(JSONObject([
                ("path", .array((errors == .complete ? e.path[...] : e.path.prefix(20)).map { .string(cut($0)) })),
                ("rule", .string(cut(e.rule))), ("constraint", e.constraint.map { .string(cut($0)) } ?? .null),
                ("message", .string(cut(e.message)))])) })),
            ("source", .object(JSONObject([("topic", .string(r.sourceTopic)), ("partition", .int(Int64(r.sourcePartition))),
                                           ("offset", .int(r.sourceOffset)),
                                           ("timestamp_ms", r.sourceTimestampMs.map { .int($0) } ?? .null)]))),
            ("schema_version", .string(r.schemaVersion)), ("failed_at", .string(r.failedAt)),
        ]
        return JSONWriter.write(.object(JSONObject(members)))
    }

    static let payloads: [[UInt8]?] = [
        Array(#"{"event_id": "e1", "ts": "2025-10-30T12:00:00Z", "usuario_id": "7"}"#.utf8),
        Array("quote \" backslash \\ tab \t newline \n bell \u{7} é 漢 🎉".utf8),
        [0xFF, 0x00, 0x7B, 0x22], [0xED, 0xA0, 0x80], [0x22, 0xE9, 0x22], Array(repeating: 0x61, count: 1_000) + [0xC3, 0xA9],
        [], nil,
    ]
    static let errors = [
        ValidationError(path: ["usuario_id"], rule: "type", constraint: "integer", message: "must be of integer type"),
        ValidationError(path: ["a", "b\"c", String(repeating: "é", count: 300)], rule: "regex", constraint: nil,
                        message: "value does not match regex '^e\\d+$' \u{1}"),
    ]

    @Test func completeEnvelopesMatchTheReferenceBytes() {
        for payload in Self.payloads {
            for errors in [[], Self.errors] {
                for timestamp in [Int64(1_700_000_000_000), nil] {
                    let r = Self.record(payload, errors: errors, timestamp: timestamp)
                    #expect(r.encodedEnvelope == Self.reference(r, prefix: nil, sha256: nil, errors: .complete), "\(String(describing: payload))")
                }
            }
        }
    }

    @Test func truncatedAndMinimalEnvelopesMatchTheReferenceBytes() {
        for payload in Self.payloads {
            let r = Self.record(payload, errors: Self.errors)
            let digest = payload.map(SHA256Digest.hex)
            for errors in [DeadLetterEnvelope.Shape.Errors.complete, .summary, .none] {
                for prefix in [0, 1, 5, 600] {
                    let n = payload.map { p in String(validating: p, as: UTF8.self) != nil ? DeadLetterEnvelope.textPrefix(p, escapedBudget: prefix) : min(prefix, p.count) } ?? 0
                    let shape = DeadLetterEnvelope.Shape(payloadPrefix: n, errors: errors, sha256: digest)
                    #expect(DeadLetterEnvelope.encode(r, shape: shape) == Self.reference(r, prefix: n, sha256: digest, errors: errors))
                }
            }
            #expect(r.minimalEnvelope == Self.reference(r, prefix: 0, sha256: digest, errors: .none))
            let bounded = r.boundedEnvelope(maxBytes: 700)
            #expect(bounded.bytes.count <= 700 || !bounded.truncated)
        }
    }
}
