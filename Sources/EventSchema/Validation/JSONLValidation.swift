import Foundation

/// The logic of `weir validate`, kept here (pure, testable without the CLI):
/// classify every non-blank line of a JSONL file and report per line and in a summary.
public enum JSONLValidation {
    /// Returns the exit status: 0 all valid, 1 some invalid, 2 usage/schema/input errors.
    public static func run(schemaPath: String?, format: String, inputPath: String?,
                               out: (String) -> Void, err: (String) -> Void) -> Int32 {
        guard let schemaPath, let inputPath else {
            err("weir: missing --schema FILE or INPUT\nusage: weir validate --schema FILE [--format text|json] INPUT.jsonl")
            return 2
        }
        guard format == "text" || format == "json" else {
            err("weir: --format must be text or json, got '\(format)'")
            return 2
        }
        let loaded: EventSchema
        do { loaded = try EventSchema.load(contentsOf: schemaPath) } catch {
            err(error is SchemaFileError ? "weir: \(error)" : "weir: cannot load schema \(schemaPath): \(error)")
            return 2
        }
        guard let data = FileManager.default.contents(atPath: inputPath) else {
            err("weir: cannot read \(inputPath)")
            return 2
        }
        let classifier = EventClassifier(validator: Validator(schema: loaded))
        var counts: [String: Int] = [:]
        var total = 0, valid = 0
        let bytes = [UInt8](data)
        var lineNo = 0
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lineNo += 1
            let line = bytes[start..<end]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { if end >= bytes.count { break } else { continue } }
            total += 1
            let outcome = line.withUnsafeBytes { classifier.classify($0) }
            if case .valid = outcome { valid += 1 } else { counts[outcome.reason!, default: 0] += 1 }
            out(format == "json" ? jsonLine(lineNo, outcome) : textLine(lineNo, outcome))
            if end >= bytes.count { break }
        }
        let invalid = total - valid
        let breakdown = counts.sorted { $0.key < $1.key }
        if format == "json" {
            var s = JSONObject([("lines", .int(Int64(total))), ("valid", .int(Int64(valid))), ("invalid", .int(Int64(invalid)))])
            s.set("reasons", .object(JSONObject(breakdown.map { ($0.key, JSONValue.int(Int64($0.value))) })))
            out(JSONWriter.string(.object(JSONObject([("summary", .object(s))]))))
        } else {
            let detail = breakdown.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            out("summary: \(total) lines, \(valid) valid, \(invalid) invalid" + (detail.isEmpty ? "" : " (\(detail))"))
        }
        return invalid == 0 ? 0 : 1
    }

    static func textLine(_ n: Int, _ o: EventClassifier.Outcome) -> String {
        switch o {
        case .valid: return "line \(n): valid"
        case .parseError(let e), .tooLarge(let e):
            return "line \(n): \(o.reason!): \(e.rejection.rawValue) at byte \(e.byteOffset)"
        case .notObject(let v): return "line \(n): not_object: top-level \(v.kindName)"
        case .schema(let r):
            return "line \(n): schema: " + r.errors.map { "\($0.path.joined(separator: ".")): \($0.message)" }.joined(separator: "; ")
        }
    }

    static func jsonLine(_ n: Int, _ o: EventClassifier.Outcome) -> String {
        var obj = JSONObject([("line", .int(Int64(n))), ("valid", .bool(o.reason == nil))])
        if let r = o.reason { obj.set("reason", .string(r)) }
        switch o {
        case .parseError(let e), .tooLarge(let e):
            obj.set("rejection", .string(e.rejection.rawValue)); obj.set("byte_offset", .int(Int64(e.byteOffset)))
        case .notObject(let v): obj.set("kind", .string(v.kindName))
        case .schema(let r):
            obj.set("errors", r.cerberusErrors)
            obj.set("details", .array(r.errors.map { e in
                .object(JSONObject([("path", .array(e.path.map { .string($0) })), ("rule", .string(e.rule)),
                                    ("constraint", e.constraint.map { .string($0) } ?? .null), ("message", .string(e.message))]))
            }))
        case .valid: break
        }
        return JSONWriter.string(.object(obj))
    }
}
