import EventSchema
import Foundation

/// A DLQ envelope cut to fit a size limit (see `DeadLetterRecord.boundedEnvelope(maxBytes:)`).
public struct BoundedEnvelope: Sendable {
    /// The envelope as compact JSON.
    public let bytes: [UInt8]
    /// Whether the payload (and, for very large error lists, the errors) were cut to fit.
    public let truncated: Bool
}

extension DeadLetterRecord {
    /// The envelope, at most `maxBytes` long whenever that is possible.
    ///
    /// The complete envelope when it fits. Otherwise `truncated: true`, `payload_bytes` (the original size),
    /// `payload_sha256` (hex SHA-256 of the whole original payload) and as long a prefix of the payload as fits:
    /// `payload` keeps whole UTF-8 characters, `payload_base64` encodes a prefix of the raw bytes. When the schema
    /// errors alone are too large (a huge value quoted in a message), `errors` becomes null and `error_details`
    /// keeps its first 20 entries with each text cut to 256 bytes, or nothing. The original is always in the
    /// source topic at `source.partition` / `source.offset` while its retention keeps it.
    public func boundedEnvelope(maxBytes: Int) -> BoundedEnvelope {
        let complete = DeadLetterEnvelope.encode(self, shape: .complete)
        if complete.count <= maxBytes { return BoundedEnvelope(bytes: complete, truncated: false) }
        return BoundedEnvelope(bytes: DeadLetterEnvelope.truncated(self, maxBytes: maxBytes), truncated: true)
    }

    /// The smallest envelope: coordinates, reason, size and digest of the payload, no payload text and no errors.
    public var minimalEnvelope: [UInt8] {
        DeadLetterEnvelope.encode(self, shape: .init(payloadPrefix: 0, errors: .none, sha256: payload.map(SHA256Digest.hex)))
    }
}

/// Writes DLQ envelopes, complete or cut to a size.
enum DeadLetterEnvelope {
    struct Shape {
        /// nil: the whole payload; n: its first n bytes (text: cut at a UTF-8 boundary; base64: of the raw bytes).
        var payloadPrefix: Int?
        var errors: Errors = .complete
        /// Hex SHA-256 of the whole payload, written when the payload is cut.
        var sha256: String?

        enum Errors { case complete, summary, none }
        static let complete = Shape(payloadPrefix: nil)
    }

    /// Entries of `error_details`, and bytes of each of their texts, kept in the `summary` form.
    static let summaryDetails = 20
    static let summaryText = 256

    /// The truncated envelope with the longest payload prefix that fits `maxBytes`, giving up error detail first
    /// when even an empty payload does not fit; the smallest form when nothing fits.
    static func truncated(_ r: DeadLetterRecord, maxBytes: Int) -> [UInt8] {
        let digest = r.payload.map(SHA256Digest.hex)
        let text = r.payload.flatMap { String(validating: $0, as: UTF8.self) } != nil
        for errors in [Shape.Errors.complete, .summary, .none] {
            let skeleton = encode(r, shape: Shape(payloadPrefix: 0, errors: errors, sha256: digest))
            guard skeleton.count <= maxBytes else { continue }
            let budget = maxBytes - skeleton.count
            let prefix = r.payload.map { text ? textPrefix($0, escapedBudget: budget) : min($0.count, budget / 4 * 3) } ?? 0
            return encode(r, shape: Shape(payloadPrefix: prefix, errors: errors, sha256: digest))
        }
        return encode(r, shape: Shape(payloadPrefix: 0, errors: .none, sha256: digest))
    }

    /// The longest prefix of the UTF-8 `bytes`, ending on a character boundary, whose JSON string escaping
    /// (`JSONWriter`: `"` `\` and short control escapes take 2 bytes, other control characters 6) fits `budget`.
    static func textPrefix(_ bytes: [UInt8], escapedBudget budget: Int) -> Int {
        var used = 0
        var end = 0
        while end < bytes.count {
            let b = bytes[end]
            let width: Int
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x09, 0x0A, 0x0C, 0x0D: width = 2
            case 0..<0x20: width = 6
            default: width = 1
            }
            guard used + width <= budget else { break }
            used += width
            end += 1
        }
        // Never end inside a multi-byte character: back off over continuation bytes (10xxxxxx) to its first byte.
        if end < bytes.count {
            while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        }
        return end
    }

    static func encode(_ r: DeadLetterRecord, shape: Shape) -> [UInt8] {
        var out: [UInt8] = []
        let payload = shape.payloadPrefix.map { n in r.payload.map { Array($0.prefix(n)) } } ?? r.payload
        out.reserveCapacity(320 + (payload?.count ?? 0) * 2)
        func key(_ k: String, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            JSONWriter.append(.string(k), to: &out)
            out.append(UInt8(ascii: ":"))
        }
        func string(_ v: String?) { JSONWriter.append(v.map { .string($0) } ?? .null, to: &out) }
        // Text or base64 is decided on the whole payload (a prefix of binary data may look like text); the complete
        // form validates once and writes that string.
        let wholeText = r.payload.flatMap { String(validating: $0, as: UTF8.self) }
        let isText = wholeText != nil
        out.append(UInt8(ascii: "{"))
        key("payload", first: true)
        string(isText ? (shape.payloadPrefix == nil ? wholeText : payload.map { String(decoding: $0, as: UTF8.self) }) : nil)
        key("payload_base64"); string(isText ? nil : payload.map { Data($0).base64EncodedString() })
        let cut = shape.payloadPrefix != nil
        key("truncated"); out.append(contentsOf: (cut ? "true" : "false").utf8)
        if cut {
            key("payload_bytes"); out.append(contentsOf: String(r.payload?.count ?? 0).utf8)
            key("payload_sha256"); string(shape.sha256)
        }
        key("reason"); string(r.rejection.reason.rawValue)
        key("detail"); string(r.rejection.detail)
        key("stage"); string(r.rejection.stage)
        key("errors"); JSONWriter.append(shape.errors == .complete ? r.rejection.errorTree : .null, to: &out)
        key("error_details"); out.append(UInt8(ascii: "["))
        let details: ArraySlice<ValidationError>
        switch shape.errors {
        case .complete: details = r.rejection.errors[...]
        case .summary: details = r.rejection.errors.prefix(summaryDetails)
        case .none: details = []
        }
        func text(_ s: String) -> String { shape.errors == .complete ? s : cutText(s) }
        for (i, e) in details.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            let path = shape.errors == .complete ? e.path : e.path.prefix(summaryDetails).map(cutText)
            key("path", first: true); JSONWriter.append(.array(path.map { .string($0) }), to: &out)
            key("rule"); string(text(e.rule))
            key("constraint"); string(e.constraint.map(text))
            key("message"); string(text(e.message))
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        key("source"); out.append(UInt8(ascii: "{"))
        key("topic", first: true); string(r.sourceTopic)
        key("partition"); out.append(contentsOf: String(r.sourcePartition).utf8)
        key("offset"); out.append(contentsOf: String(r.sourceOffset).utf8)
        key("timestamp_ms"); out.append(contentsOf: (r.sourceTimestampMs.map(String.init) ?? "null").utf8)
        out.append(UInt8(ascii: "}"))
        key("schema_version"); string(r.schemaVersion)
        key("failed_at"); string(r.failedAt)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `s` cut to at most `summaryText` bytes, on a character boundary.
    static func cutText(_ s: String) -> String {
        guard s.utf8.count > summaryText else { return s }
        var result = ""
        for c in s.unicodeScalars {
            guard result.utf8.count + String(c).utf8.count <= summaryText else { break }
            result.unicodeScalars.append(c)
        }
        return result
    }
}
