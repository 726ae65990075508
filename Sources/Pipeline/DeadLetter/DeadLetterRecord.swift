import EventSchema
import Foundation

/// One event bound for the dead-letter queue, with everything needed to understand and replay it.
public struct DeadLetterRecord: Sendable {
    public let sourceTopic: String
    public let sourcePartition: Int32
    public let sourceOffset: Int64
    public let sourceTimestampMs: Int64?
    public let key: [UInt8]?
    /// The original value; nil for a tombstone.
    public let payload: [UInt8]?
    public let rejection: Rejection
    public let schemaVersion: String
    /// Unix microseconds of the rejection.
    public let failedAtMicros: Int64
    /// The same instant in RFC 3339, formatted once.
    public let failedAt: String

    public init(sourceTopic: String, sourcePartition: Int32, sourceOffset: Int64, sourceTimestampMs: Int64?, key: [UInt8]?,
                payload: [UInt8]?, rejection: Rejection, schemaVersion: String, failedAtMicros: Int64, failedAt: String? = nil) {
        self.sourceTopic = sourceTopic
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.sourceTimestampMs = sourceTimestampMs
        self.key = key
        self.payload = payload
        self.rejection = rejection
        self.schemaVersion = schemaVersion
        self.failedAtMicros = failedAtMicros
        self.failedAt = failedAt ?? RFC3339.format(micros: failedAtMicros)
    }

    /// The JSON envelope: `payload` (UTF-8 text, or `payload_base64` when not UTF-8, or both null for a
    /// tombstone), `reason`, `detail`, `stage`, `errors` (Cerberus-style), `error_details` (path, rule,
    /// constraint, message), `source` {topic, partition, offset, timestamp_ms}, `schema_version`, `failed_at`
    /// (RFC 3339 UTC).
    public var envelope: JSONValue {
        (try? StrictJSONDecoder(limits: JSONLimits(maxDepth: 1_000, maxBytes: Int.max)).decode(encodedEnvelope)) ?? .null
    }

    /// The envelope as compact JSON bytes, written directly (this runs for every rejected event).
    public var encodedEnvelope: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + (payload?.count ?? 0) * 2)
        func key(_ k: String, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            JSONWriter.append(.string(k), to: &out)
            out.append(UInt8(ascii: ":"))
        }
        func string(_ v: String?) { JSONWriter.append(v.map { .string($0) } ?? .null, to: &out) }
        out.append(UInt8(ascii: "{"))
        let text = payload.flatMap { String(validating: $0, as: UTF8.self) }
        key("payload", first: true); string(text)
        key("payload_base64"); string(text == nil ? payload.map { Data($0).base64EncodedString() } : nil)
        key("reason"); string(rejection.reason.rawValue)
        key("detail"); string(rejection.detail)
        key("stage"); string(rejection.stage)
        key("errors"); JSONWriter.append(rejection.errorTree, to: &out)
        key("error_details"); out.append(UInt8(ascii: "["))
        for (i, e) in rejection.errors.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            key("path", first: true); JSONWriter.append(.array(e.path.map { .string($0) }), to: &out)
            key("rule"); string(e.rule)
            key("constraint"); string(e.constraint)
            key("message"); string(e.message)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        key("source"); out.append(UInt8(ascii: "{"))
        key("topic", first: true); string(sourceTopic)
        key("partition"); out.append(contentsOf: String(sourcePartition).utf8)
        key("offset"); out.append(contentsOf: String(sourceOffset).utf8)
        key("timestamp_ms"); out.append(contentsOf: (sourceTimestampMs.map(String.init) ?? "null").utf8)
        out.append(UInt8(ascii: "}"))
        key("schema_version"); string(schemaVersion)
        key("failed_at"); string(failedAt)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The same facts as Kafka headers (`weir.reason`, `weir.stage`, `weir.source.topic`, `weir.source.partition`,
    /// `weir.source.offset`, `weir.schema_version`, `weir.failed_at`).
    public var headerPairs: [(String, String)] {
        [
            ("weir.reason", rejection.reason.rawValue),
            ("weir.stage", rejection.stage),
            ("weir.source.topic", sourceTopic),
            ("weir.source.partition", String(sourcePartition)),
            ("weir.source.offset", String(sourceOffset)),
            ("weir.schema_version", schemaVersion),
            ("weir.failed_at", failedAt),
        ]
    }
}
