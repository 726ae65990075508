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
    /// tombstone), `truncated` (false: the payload is complete), `reason`, `detail`, `stage`, `errors`
    /// (Cerberus-style), `error_details` (path, rule, constraint, message), `source` {topic, partition, offset,
    /// timestamp_ms}, `schema_version`, `failed_at` (RFC 3339 UTC). See `boundedEnvelope(maxBytes:)` for the
    /// truncated form.
    public var envelope: JSONValue {
        (try? StrictJSONDecoder(limits: JSONLimits(maxDepth: 1_000, maxBytes: Int.max)).decode(encodedEnvelope)) ?? .null
    }

    /// The complete envelope as compact JSON bytes, written directly (this runs for every rejected event).
    public var encodedEnvelope: [UInt8] { DeadLetterEnvelope.encode(self, shape: .complete) }

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
