import EventSchema
import Foundation
import Testing
@testable import WeirCLI

/// `LineValidation`, the logic of `weir validate`, on its own (no process, no files).
@Suite struct LineValidationTests {
    static func run(_ lines: [String], format: LineValidation.Format) throws -> (Int32, [String]) {
        var config = WeirConfig()
        config.schemaFile = RepoPaths.root + "/schemas/pi2_events.v1.yaml"
        let schema = try PipelineAssembly.loadSchema(config)
        let validation = LineValidation(schema: schema, config: WeirConfig().pipeline, format: format)
        var out: [String] = []
        let status = validation.run(Data(lines.joined(separator: "\n").utf8), nowMicros: 0, out: { out.append($0) })
        return (status, out)
    }

    static let good = #"{"event_id":"e1","ts":"2025-10-30T12:00:00Z","usuario_id":5,"accion":"view","monto":null}"#

    @Test func verdictsPerLineAndSummary() throws {
        let (ok, okOut) = try Self.run([Self.good, "", Self.good, ""], format: .text)
        #expect(ok == 0)
        #expect(okOut == ["line 1: valid", "line 3: valid", "summary: 2 lines, 2 valid, 0 invalid"])

        let mixed = [Self.good, "[]", #"{"event_id":"e1""#, #"{"event_id":"e2","usuario_id":"1"}"#, "NaN"]
        let (status, out) = try Self.run(mixed, format: .text)
        #expect(status == 1)
        #expect(out.contains("line 2: not_object: top-level array"))
        #expect(out.contains { $0.hasPrefix("line 3: parse_error: syntax at byte ") }, "\(out)")
        #expect(out.contains { $0.hasPrefix("line 4: schema: ") && $0.contains("usuario_id: must be of integer type") }, "\(out)")
        #expect(out.contains { $0.hasPrefix("line 5: parse_error: nonFiniteNumber") }, "\(out)")
        #expect(out.last == "summary: 5 lines, 1 valid, 4 invalid (not_object: 1, parse_error: 2, schema: 1)")
    }

    @Test func jsonOutputCarriesTheCerberusErrors() throws {
        let (status, out) = try Self.run([Self.good, #"{"event_id":"e2","usuario_id":"1"}"#, "{"], format: .json)
        #expect(status == 1)
        try #require(out.count == 4)
        let second = try StrictJSONDecoder().decode(Array(out[1].utf8)).objectValue!
        #expect(second["reason"] == .string("schema"))
        #expect(second["errors"]?.objectValue?["usuario_id"] == .array([.string("must be of integer type")]))
        #expect(second["errors"]?.objectValue?["ts"] == .array([.string("required field")]))
        let third = try StrictJSONDecoder().decode(Array(out[2].utf8)).objectValue!
        #expect(third["reason"] == .string("parse_error"))
        #expect(third["byte_offset"] != nil)
        let summary = try StrictJSONDecoder().decode(Array(out[3].utf8)).objectValue!["summary"]?.objectValue
        #expect(summary?["invalid"] == .int(2))
    }
}
