import Foundation
import Testing
@testable import EventSchema

/// Every poison case with reason parse_error / not_object / schema gets that classification.
@Suite struct PoisonCorpusTests {
    @Test func classifiesPoisonCorpus() throws {
        let schemaPath = TestSupport.fixture("pi2_events.schema.yaml")
        let poisonPath = TestSupport.repoRoot.appendingPathComponent("testdata/fixtures/corpus/poison.jsonl").path
        let data = try #require(FileManager.default.contents(atPath: poisonPath), "the poison corpus is missing at \(poisonPath)")
        let classifier = EventClassifier(validator: Validator(schema: try EventSchema.load(contentsOf: schemaPath)))
        let decoder = StrictJSONDecoder()
        var checked = 0
        for line in data.split(separator: 0x0A) {
            guard case .object(let c) = try decoder.decode([UInt8](line)), let name = c["name"]?.stringValue else { continue }
            if c["value_null"] == .bool(true) { continue } // tombstones: the pipeline's job
            guard let b64 = c["payload_b64"]?.stringValue, let payload = Data(base64Encoded: b64) else {
                Issue.record("\(name): no payload"); continue
            }
            let outcome = classifier.classify([UInt8](payload))
            let reason = c["reason"]?.stringValue
            switch reason {
            case "parse_error", "not_object", "schema":
                #expect(outcome.reason == reason, "\(name): expected \(reason!), got \(outcome.reason ?? "valid")")
                checked += 1
            case nil:
                // lake / duplicate cases must pass decode + validate.
                #expect(outcome.reason == nil, "\(name): expected valid, got \(outcome.reason ?? "")")
            default:
                // bad_timestamp etc.: valid JSON object that passes the schema; the pipeline decides.
                #expect(outcome.reason == nil, "\(name): \(outcome.reason ?? "")")
            }
        }
        #expect(checked >= 20)
    }

    @Test func tooLargeIsItsOwnReason() {
        let classifier = EventClassifier(validator: Validator(schema: try! EventSchema.load(yaml: "a: {type: string}")),
                                         limits: JSONLimits(maxDepth: 64, maxBytes: 8))
        #expect(classifier.classify(Array("{\"a\":\"0123456789\"}".utf8)).reason == "too_large")
    }
}
