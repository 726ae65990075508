import Foundation
import WeirTestSupport
import Testing
@testable import EventSchema

/// `weir validate`: the command is a thin wrapper over `JSONLValidation.run`, tested here directly.
@Suite struct ValidateCommandTests {
    /// This suite's files (removed when the test process exits).
    static let directory = TestDirectories.make("validate")

    func write(_ text: String, _ name: String) throws -> String {
        let url = URL(fileURLWithPath: Self.directory).appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func run(_ schema: String?, _ format: String, _ input: String?) -> (Int32, String, String) {
        var out: [String] = [], err: [String] = []
        let status = JSONLValidation.run(schemaPath: schema, format: format, inputPath: input,
                                         out: { out.append($0) }, err: { err.append($0) })
        return (status, out.joined(separator: "\n"), err.joined(separator: "\n"))
    }

    @Test func exitCodesAndOutput() throws {
        let schema = TestSupport.fixture("pi2_events.schema.yaml")
        let good = "{\"event_id\":\"e1\",\"ts\":\"2025-10-30T12:00:00Z\",\"usuario_id\":5,\"accion\":\"view\",\"monto\":null}"
        let okFile = try write(good + "\n\n" + good + "\n", "ok.jsonl")
        let (s0, o0, _) = run(schema, "text", okFile)
        #expect(s0 == 0)
        #expect(o0.contains("line 1: valid") && o0.contains("line 3: valid"))
        #expect(o0.contains("summary: 2 lines, 2 valid, 0 invalid"))

        let mixed = try write([good, "[]", "{\"event_id\":\"e1\"", "{\"event_id\":\"e2\",\"usuario_id\":\"1\"}", "NaN"].joined(separator: "\n"), "mixed.jsonl")
        let (s1, o1, _) = run(schema, "text", mixed)
        #expect(s1 == 1)
        #expect(o1.contains("line 2: not_object: top-level array"))
        #expect(o1.contains("line 3: parse_error: syntax"))
        #expect(o1.contains("usuario_id: must be of integer type"))
        #expect(o1.contains("line 5: parse_error: nonFiniteNumber"))
        #expect(o1.contains("summary: 5 lines, 1 valid, 4 invalid (not_object: 1, parse_error: 2, schema: 1)"))

        let (sj, oj, _) = run(schema, "json", mixed)
        #expect(sj == 1)
        let lines = oj.split(separator: "\n")
        try #require(lines.count == 6)
        let fourth = try StrictJSONDecoder().decode(Array(lines[3].utf8)).objectValue!
        #expect(fourth["reason"] == .string("schema"))
        #expect(fourth["errors"]?.objectValue?["usuario_id"] == .array([.string("must be of integer type")]))
        #expect(fourth["errors"]?.objectValue?["ts"] == .array([.string("required field")]))
        let summary = try StrictJSONDecoder().decode(Array(lines[5].utf8)).objectValue!["summary"]?.objectValue
        #expect(summary?["invalid"] == .int(4))

        let badSchema = try write("a: {type: nope}\n", "bad.yaml")
        let (s2, _, e2) = run(badSchema, "text", okFile)
        #expect(s2 == 2 && e2.contains("rule 'type'"))
        #expect(run(nil, "text", okFile).0 == 2)
        #expect(run(schema, "xml", okFile).0 == 2)
        #expect(run(schema, "text", "/nonexistent/x.jsonl").0 == 2)
    }
}
