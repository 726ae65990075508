import Foundation
import Testing
@testable import EventSchema
import WeirTestSupport

/// Compares Weir's validator with real Cerberus 1.3 (testdata/oracles/cerberus_expected.py).
@Suite struct CerberusDifferentialTests {
    /// Documented deviations (docs/VALIDATION.md), by case name. Any other difference fails.
    static let deviations: Set<String> = [
        "pi2_events.schema.yaml#deviation_bool_as_integer",   // true is never an integer in Weir
        "pi2_events.schema.yaml#deviation_bool_as_float",     // false is never a float in Weir
        "pi2_events.schema.yaml#deviation_regex_trailing_newline", // '$' does not match before a final \n
        "maps.yaml#deviation_bool_in_integer_values",         // true is never an integer (valuesrules)
    ]

    struct Case { let name, schema: String; let doc: JSONObject; let valid: Bool; let errors, document: JSONValue }

    static func oracleCases() throws -> [Case] {
        let out = String(decoding: try PythonOracle.run("cerberus_expected.py"), as: UTF8.self)
        let decoder = StrictJSONDecoder(limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 24))
        return try out.split(separator: "\n").map { line in
            guard case .object(let o) = try decoder.decode(Array(line.utf8)),
                  case .string(let docText)? = o["doc"],
                  case .object(let doc) = try decoder.decode(Array(docText.utf8)) else {
                throw OracleMissing(message: "bad oracle line: \(line.prefix(200))")
            }
            return Case(name: o["case"]!.stringValue!, schema: o["schema"]!.stringValue!, doc: doc,
                        valid: o["valid"] == .bool(true), errors: o["errors"]!, document: o["document"]!)
        }
    }

    struct OracleMissing: Error, CustomStringConvertible { let message: String; var description: String { message } }

    @Test func matchesCerberus() throws {
        let cases = try Self.oracleCases()
        #expect(cases.count >= 2000)
        var validators: [String: Validator] = [:]
        var mismatches: [String] = []
        var deviationsSeen: Set<String> = []
        var schemasSeen: Set<String> = []
        for c in cases {
            if validators[c.schema] == nil {
                validators[c.schema] = Validator(schema: try EventSchema.load(contentsOf: TestSupport.fixture(c.schema)))
            }
            schemasSeen.insert(c.schema)
            let r = validators[c.schema]!.validate(c.doc)
            let same = r.isValid == c.valid && r.cerberusErrors == c.errors && JSONValue.object(r.document) == c.document
            if Self.deviations.contains(c.name) {
                if !same { deviationsSeen.insert(c.name) }
                continue
            }
            if !same {
                mismatches.append("\(c.name): doc=\(JSONWriter.string(.object(c.doc)))\n  cerberus valid=\(c.valid) \(JSONWriter.string(c.errors))\n  weir     valid=\(r.isValid) \(JSONWriter.string(r.cerberusErrors))\n  cerberus doc=\(JSONWriter.string(c.document))\n  weir doc=\(JSONWriter.string(.object(r.document)))")
            }
        }
        #expect(schemasSeen.count >= 5)
        let report = "\(mismatches.count) unlisted differences:\n" + mismatches.prefix(15).joined(separator: "\n")
        #expect(mismatches.isEmpty, Comment(rawValue: report))
        #expect(deviationsSeen == Self.deviations, "listed deviations that no longer differ: \(Self.deviations.subtracting(deviationsSeen))")
    }
}
