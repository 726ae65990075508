import EventSchema
import Foundation
import Pipeline

/// The logic of `weir validate`: every non-blank line of a JSON Lines input goes through the same
/// `RecordEvaluator` as `weir run` (strict decoding with the configured limits, the schema, the event time and
/// the lake's column types), so a line passes here exactly when the pipeline would land it. Pure; no I/O.
struct LineValidation {
    enum Format: String, CaseIterable {
        case text, json
    }

    let evaluator: RecordEvaluator
    let limits: JSONLimits
    let format: Format
    /// The event time field and format, for `bad_timestamp` messages.
    let eventTime: String

    init(schema: EventSchema, config: PipelineConfig, format: Format) {
        evaluator = RecordEvaluator(schema: schema, config: config)
        limits = JSONLimits(maxDepth: config.maxDepth, maxBytes: config.maxMessageBytes)
        self.format = format
        let spelling: String
        switch config.eventTimeFormat {
        case .iso8601: spelling = "iso8601"
        case .epochSeconds: spelling = "epoch_seconds"
        case .epochMillis: spelling = "epoch_millis"
        case .pattern(let pattern): spelling = "'\(pattern)'"
        }
        eventTime = "field \(config.eventTimeField), format \(spelling)"
    }

    /// Validates every non-blank line of `data`, calling `out` with one verdict per line and then a summary.
    /// - Returns: the exit status, 0 when every line is valid, else 1.
    func run(_ data: Data, nowMicros: Int64, out: (String) -> Void) -> Int32 {
        var counts: [String: Int] = [:]
        var total = 0, valid = 0
        let bytes = [UInt8](data)
        var lineNo = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lineNo += 1
            let line = Array(bytes[start..<end])
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            total += 1
            let record = SourceRecord(topic: "validate", partition: 0, offset: Int64(lineNo - 1), key: nil, value: line, timestampMs: nil)
            switch evaluator.evaluate(record, nowMicros: nowMicros) {
            case .accepted:
                valid += 1
                out(format == .json ? JSONWriter.string(.object(JSONObject([("line", .int(Int64(lineNo))), ("valid", .bool(true))])))
                    : "line \(lineNo): valid")
            case .rejected(let rejection):
                counts[rejection.reason.rawValue, default: 0] += 1
                out(format == .json ? jsonLine(lineNo, rejection, line) : textLine(lineNo, rejection, line))
            }
        }
        let invalid = total - valid
        let breakdown = counts.sorted { $0.key < $1.key }
        if format == .json {
            var s = JSONObject([("lines", .int(Int64(total))), ("valid", .int(Int64(valid))), ("invalid", .int(Int64(invalid)))])
            s.set("reasons", .object(JSONObject(breakdown.map { ($0.key, JSONValue.int(Int64($0.value))) })))
            out(JSONWriter.string(.object(JSONObject([("summary", .object(s))]))))
        } else {
            let detail = breakdown.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            out("summary: \(total) lines, \(valid) valid, \(invalid) invalid" + (detail.isEmpty ? "" : " (\(detail))"))
        }
        return invalid == 0 ? 0 : 1
    }

    /// The byte offset of a decoding failure (decoded again only for lines that failed to decode).
    private func byteOffset(_ line: [UInt8]) -> Int? {
        do {
            _ = try StrictJSONDecoder(limits: limits).decode(line)
            return nil
        } catch {
            return error.byteOffset
        }
    }

    func textLine(_ n: Int, _ r: Rejection, _ line: [UInt8]) -> String {
        let head = "line \(n): \(r.reason.rawValue): "
        switch r.reason {
        case .parseError, .tooLarge: return head + r.detail + (byteOffset(line).map { " at byte \($0)" } ?? "")
        case .notObject: return head + "top-level \(r.detail)"
        case .badTimestamp: return head + "the event time (\(eventTime)) is not a real instant or is outside the plausibility window"
        case .schema, .tombstone:
            return head + r.errors.map { "\($0.path.joined(separator: ".")): \($0.message)" }.joined(separator: "; ")
        }
    }

    func jsonLine(_ n: Int, _ r: Rejection, _ line: [UInt8]) -> String {
        var obj = JSONObject([("line", .int(Int64(n))), ("valid", .bool(false)), ("reason", .string(r.reason.rawValue)),
                              ("stage", .string(r.stage))])
        switch r.reason {
        case .parseError, .tooLarge:
            obj.set("rejection", .string(r.detail))
            if let offset = byteOffset(line) { obj.set("byte_offset", .int(Int64(offset))) }
        case .notObject: obj.set("kind", .string(r.detail))
        case .badTimestamp: obj.set("field", .string(r.detail))
        case .schema, .tombstone:
            obj.set("errors", r.errorTree)
            obj.set("details", .array(r.errors.map { e in
                .object(JSONObject([("path", .array(e.path.map { .string($0) })), ("rule", .string(e.rule)),
                                    ("constraint", e.constraint.map { .string($0) } ?? .null), ("message", .string(e.message))]))
            }))
        }
        return JSONWriter.string(.object(obj))
    }
}
