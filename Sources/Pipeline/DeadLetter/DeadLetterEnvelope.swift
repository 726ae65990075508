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

    /// The envelope's bytes, written directly: constant keys as literals, the payload escaped straight from the
    /// record's bytes (no `String` copy), one output buffer sized up front. `JSONWriter.write` of the same members
    /// as a `JSONValue` object gives the same bytes (DeadLetterRecordTests checks it).
    static func encode(_ r: DeadLetterRecord, shape: Shape) -> [UInt8] {
        var out: [UInt8] = []
        let payloadCount = r.payload.map { p in shape.payloadPrefix.map { min($0, p.count) } ?? p.count } ?? 0
        out.reserveCapacity(360 + payloadCount + payloadCount / 8 + r.rejection.errors.count * 160)
        func string(_ v: String?) {
            if let v { JSONWriter.appendString(v, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        func literal(_ text: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        // Text or base64 is decided on the whole payload (a prefix of binary data may look like text); a text prefix
        // always ends on a character boundary (`truncated` cuts it there), so its bytes are valid UTF-8 too.
        literal(#"{"payload":"#)
        if let payload = r.payload {
            let isText = payload.withUnsafeBufferPointer(JSONWriter.isValidUTF8)
            if isText {
                payload.withUnsafeBufferPointer { JSONWriter.appendString(utf8: UnsafeBufferPointer(rebasing: $0[..<payloadCount]), to: &out) }
                literal(#","payload_base64":null"#)
            } else {
                literal(#"null,"payload_base64":"#)
                string(Data(payload.prefix(payloadCount)).base64EncodedString())
            }
        } else {
            literal(#"null,"payload_base64":null"#)
        }
        let cut = shape.payloadPrefix != nil
        literal(cut ? #","truncated":true"# : #","truncated":false"#)
        if cut {
            literal(#","payload_bytes":"#); out.append(contentsOf: String(r.payload?.count ?? 0).utf8)
            literal(#","payload_sha256":"#); string(shape.sha256)
        }
        literal(#","reason":"#); string(r.rejection.reason.rawValue)
        literal(#","detail":"#); string(r.rejection.detail)
        literal(#","stage":"#); string(r.rejection.stage)
        literal(#","errors":"#)
        if shape.errors == .complete { JSONWriter.append(r.rejection.errorTree, to: &out) } else { literal("null") }
        literal(#","error_details":["#)
        let details: ArraySlice<ValidationError>
        switch shape.errors {
        case .complete: details = r.rejection.errors[...]
        case .summary: details = r.rejection.errors.prefix(summaryDetails)
        case .none: details = []
        }
        func text(_ s: String) -> String { shape.errors == .complete ? s : cutText(s) }
        for (i, e) in details.enumerated() {
            literal(i > 0 ? #",{"path":["# : #"{"path":["#)
            let path = shape.errors == .complete ? e.path[...] : e.path.prefix(summaryDetails)
            for (n, component) in path.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                string(shape.errors == .complete ? component : cutText(component))
            }
            literal(#"],"rule":"#); string(text(e.rule))
            literal(#","constraint":"#); string(e.constraint.map(text))
            literal(#","message":"#); string(text(e.message))
            out.append(UInt8(ascii: "}"))
        }
        literal(#"],"source":{"topic":"#); string(r.sourceTopic)
        literal(#","partition":"#); out.append(contentsOf: String(r.sourcePartition).utf8)
        literal(#","offset":"#); out.append(contentsOf: String(r.sourceOffset).utf8)
        literal(#","timestamp_ms":"#); out.append(contentsOf: (r.sourceTimestampMs.map(String.init) ?? "null").utf8)
        literal(#"},"schema_version":"#); string(r.schemaVersion)
        literal(#","failed_at":"#); string(r.failedAt)
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
