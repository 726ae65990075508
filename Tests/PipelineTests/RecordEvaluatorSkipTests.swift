import EventSchema
import Testing
@testable import Pipeline

/// The evaluator lets the decoder skip building the values of unknown fields only when nothing reads them
/// (issue 21); whatever reads an unknown field still sees it.
@Suite struct RecordEvaluatorSkipTests {
    func record(_ json: String) -> SourceRecord {
        SourceRecord(topic: "t", partition: 0, offset: 0, key: nil, value: Array(json.utf8), timestampMs: nil)
    }

    func evaluator(_ schemaYAML: String, _ configure: (inout PipelineConfig) -> Void = { _ in }) throws -> RecordEvaluator {
        var config = PipelineConfig()
        config.eventTimeField = "ts"
        config.dedupKey = .fields(["id"])
        configure(&config)
        return RecordEvaluator(schema: try EventSchema.load(yaml: schemaYAML), config: config)
    }

    static let open = "allow_unknown: true\nschema:\n  id: {type: string}\n  ts: {type: string}\n"

    @Test func skipsOnlyWhenNothingReadsUnknownFields() throws {
        #expect(try evaluator(Self.open).skipsUnknownValues)
        #expect(try !evaluator(Self.open) { $0.dedupKey = .contentHash }.skipsUnknownValues)
        #expect(try !evaluator(Self.open) { $0.eventTimeField = "meta.at" }.skipsUnknownValues)
        #expect(try !evaluator(Self.open) { $0.dedupKey = .fields(["id", "session"]) }.skipsUnknownValues)
        #expect(try !evaluator("schema:\n  id: {type: string}\n  ts: {type: string}\n").skipsUnknownValues)
        #expect(try !evaluator(Self.open + "  x: {type: string, dependencies: {y: [1]}}\n").skipsUnknownValues)
    }

    /// An event time, a dedup key part and a `dependencies` rule on fields the schema does not declare.
    @Test func unknownFieldsThatAreReadAreDecoded() throws {
        let time = try evaluator(Self.open) { $0.eventTimeField = "meta.at" }
        guard case .accepted(let a) = time.evaluate(record(#"{"id":"e1","meta":{"at":"2024-03-09T00:00:00Z"},"u":1}"#), nowMicros: 0) else {
            Issue.record("an event time in an unknown field was not found"); return
        }
        #expect(a.eventMicros == FoundationTime.micros(2024, 3, 9))
        #expect(a.cells.contains { "\($0)" == "\(RowBuffer.Cell.string(#"{"meta":{"at":"2024-03-09T00:00:00Z"},"u":1}"#))" })

        let key = try evaluator(Self.open) { $0.dedupKey = .fields(["id", "session"]) }
        func dedupKey(_ session: String) -> DedupKey? {
            if case .accepted(let x) = key.evaluate(record(#"{"id":"e1","ts":"2024-03-09T00:00:00Z","session":"\#(session)"}"#), nowMicros: 0) { return x.key }
            return nil
        }
        #expect(dedupKey("s1") != nil && dedupKey("s1") != dedupKey("s2"))

        let dependent = try evaluator(Self.open + "  x: {type: string, dependencies: {y: [1]}}\n")
        func accepted(_ json: String) -> Bool {
            if case .accepted = dependent.evaluate(record(json), nowMicros: 0) { return true }
            return false
        }
        #expect(accepted(#"{"id":"e1","ts":"2024-03-09T00:00:00Z","x":"a","y":1}"#))
        #expect(!accepted(#"{"id":"e1","ts":"2024-03-09T00:00:00Z","x":"a","y":2}"#))
    }

    /// Skipped or not, an event gets the same outcome: the same cells (`_extra` included) and key, or the same
    /// rejection (a malformed unknown field is a parse error either way).
    @Test func skippingChangesNoOutcome() throws {
        let skipping = try evaluator(Self.open)
        // The same schema with a `dependencies` rule that every event below satisfies: nothing is skipped.
        let building = try evaluator(Self.open.replacingOccurrences(of: "  ts: {type: string}", with: "  ts: {type: string, dependencies: id}"))
        #expect(skipping.skipsUnknownValues && !building.skipsUnknownValues)
        let events = [#"{"id":"e1","ts":"2024-03-09T00:00:00Z"}"#,
                      #"{"u":[1, 2.50],"id":"e1","ts":"2024-03-09T00:00:00Z","v":{"w":"\u00e9"}}"#,
                      #"{"id":"e1","u":{"a":1,"a":2},"ts":"2024-03-09T00:00:00Z"}"#,
                      #"{"id":"e1","u":"\ud800","ts":"2024-03-09T00:00:00Z"}"#,
                      #"{"id":"e1","u":1e999,"ts":"2024-03-09T00:00:00Z"}"#,
                      #"{"id":7,"u":true,"ts":"2024-03-09T00:00:00Z"}"#,
                      #"{"id":"e1","u":1,"u":2,"ts":"2024-03-09T00:00:00Z"}"#]
        for json in events {
            #expect(RecordEvaluatorTests.describe(skipping.evaluate(record(json), nowMicros: 0))
                    == RecordEvaluatorTests.describe(building.evaluate(record(json), nowMicros: 0)), "\(json)")
        }
    }
}
