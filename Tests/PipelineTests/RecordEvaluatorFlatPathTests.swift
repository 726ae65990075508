import EventSchema
import Testing
import WeirTestSupport
@testable import Pipeline

/// The evaluator's flat path (issue 21) against its general path: every event gets the same outcome either way
/// (the same cells, `_extra` included, the same partition bucket and dedup key, or the same rejection), and the
/// flat path is taken only where it can be exact.
@Suite struct RecordEvaluatorFlatPathTests {
    /// The outcome as text: everything a caller reads from it.
    static func describe(_ outcome: RecordEvaluator.Outcome) -> String {
        switch outcome {
        case .accepted(let a): return "accepted \(a.cells) \(a.bucket) \(a.eventMicros) \(String(describing: a.key))"
        case .rejected(let r):
            return "rejected \(r.reason) \(r.stage) \(r.detail) \(r.errors) \(String(describing: r.errorTree))"
        }
    }

    /// Evaluates `events` with the flat path allowed and not, one by one and as a batch; records any difference.
    static func expectSameOutcomes(_ events: [[UInt8]], schema: EventSchema, config: PipelineConfig,
                                   sourceLocation: SourceLocation = #_sourceLocation) -> [RecordEvaluator.Outcome] {
        let flat = RecordEvaluator(schema: schema, config: config)
        let general = RecordEvaluator(schema: schema, config: config, allowsFlatPath: false)
        #expect(flat.usesFlatPath && !general.usesFlatPath, sourceLocation: sourceLocation)
        let records = events.enumerated().map {
            SourceRecord(topic: "t", partition: 3, offset: Int64($0.offset), key: nil, value: $0.element, timestampMs: nil)
        }
        let now: Int64 = 1_761_800_000_000_000
        let batch = flat.evaluate(records, nowMicros: now)
        let expected = general.evaluate(records, nowMicros: now)
        for (k, record) in records.enumerated() {
            let label = String(decoding: record.value ?? [], as: UTF8.self).debugDescription
            let one = describe(flat.evaluate(record, nowMicros: now))
            #expect(describe(batch[k]) == describe(expected[k]), "\(label)", sourceLocation: sourceLocation)
            #expect(one == describe(expected[k]), "\(label)", sourceLocation: sourceLocation)
        }
        return batch
    }

    /// pi2-shaped events with every field present, missing, null, mistyped, out of range or malformed, unknown
    /// fields of every kind, escapes, and bytes changed here and there.
    static func randomEvents(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        /// A value from `good` (valid for the field) most of the time, else from `bad`.
        func pick(_ good: [String], _ bad: [String]) -> String { rng.next() % 6 == 0 ? pick(bad) : pick(good) }
        let ids = ([#""e123456789012345678""#, #""e7""#, #""e\u0031""#], [#""x2""#, "17", "null", #""""#, #""e12","#])
        let times = ([#""2025-10-30T08:06:10.883281+00:00""#, #""2025-10-29T17:37:40Z""#, #""2025-10-30T08:06:10\u002B00:00""#],
                     [#""2025-02-30T00:00:00Z""#, #""yesterday""#, "1761800000", "1761800000.5", "null"])
        let users = (["282", "1", "1000000"], ["0", "1000001", "-5", "2.5", "9223372036854775808", #""282""#, "null"])
        let actions = ([#""click""#, #""view""#, #""purchase""#, #""cl\u0069ck""#], [#""buy""#, "true", "null"])
        let amounts = (["null", "4.24", "0", "100000", "1e2", "17"], ["100000.01", "-1", #""4""#])
        let unknown = ([#""ua":"Mozilla/5.0 (X11)""#, #""headers":{"a":[1,2,{"b":null}],"c":"\u00e9"}"#, #""n":1.50"#,
                        #""tags":[]"#, #""\u0061":1"#],
                       [#""x":{"k":1,"k":2}"#, #""y":"\ud800""#, #""z":[[[[[[[[1]]]]]]]]"#])
        var events: [[UInt8]] = []
        for _ in 0..<count {
            var members = [("event_id", pick(ids.0, ids.1)), ("ts", pick(times.0, times.1)),
                           ("usuario_id", pick(users.0, users.1)), ("accion", pick(actions.0, actions.1)),
                           ("monto", pick(amounts.0, amounts.1))].compactMap { name, value in
                rng.next() % 30 == 0 ? nil : "\"\(name)\":\(value)"
            }
            for _ in 0..<Int(rng.next() % 3) {
                members.insert(pick(unknown.0, unknown.1), at: Int(rng.next() % UInt64(members.count + 1)))
            }
            if rng.next() % 8 == 0 { members.shuffle(using: &rng) }
            if rng.next() % 20 == 0 { members.append(#""event_id":"e99""#) }
            var bytes = Array(("{" + members.joined(separator: rng.next() % 5 == 0 ? " , " : ",") + "}").utf8)
            if rng.next() % 10 == 0 {
                ByteMutation.apply(to: &bytes, using: &rng)
            }
            events.append(bytes)
        }
        return events
    }

    @Test func randomEventsGetTheSameOutcomes() throws {
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let events = Self.randomEvents(6_000, seed: 0xF1A7)
        var config = PipelineConfig()
        config.maxDepth = 8
        let outcomes = Self.expectSameOutcomes(events, schema: schema, config: config)
        // Enough events of each outcome for the comparison to mean something.
        let accepted = outcomes.filter { if case .accepted = $0 { return true }; return false }.count
        #expect(accepted > 1_000 && outcomes.count - accepted > 1_000, "accepted \(accepted) of \(outcomes.count)")
        config.keepUnknownFields = false
        config.lineageColumns = false
        config.dedupKey = .fields(["event_id", "usuario_id"])
        config.maxPast = .seconds(2 * 86_400)
        config.partitioning = HivePartitioning(byHour: true)
        _ = Self.expectSameOutcomes(events, schema: schema, config: config)
        config.dedupKey = .none
        config.eventTimeFormat = .epochSeconds
        _ = Self.expectSameOutcomes(events, schema: schema, config: config)
    }

    /// A schema of every scalar type, with a field the events name by an escaped key.
    @Test func everyScalarKind() throws {
        let schema = try EventSchema.load(yaml: """
            allow_unknown: true
            schema:
              id: {type: string, required: true}
              ts: {type: integer, required: true}
              ok: {type: boolean}
              r: {type: number, nullable: true}
              j: {nullable: true}
            """)
        var config = PipelineConfig()
        config.dedupKey = .fields(["id", "ts"])
        config.eventTimeFormat = .epochMillis
        let events = [#"{"id":"a","ts":1761800000000}"#, #"{"id":"a","ts":1761800000000,"ok":true,"r":2,"j":"s"}"#,
                      #"{"id":"a","ts":1761800000000,"r":2.5,"j":12345678901234567890}"#, #"{"\u0069d":"a","ts":1761800000000}"#,
                      #"{"id":"a","ts":1761800000000,"j":{"k":1}}"#, #"{"id":"a","ts":1761800000000,"j":[1,"x"]}"#,
                      #"{"id":"a","ts":1761800000000,"j":-0.0,"ok":null}"#, #"{"id":"a","ts":1.7618e12}"#,
                      #"{"id":"a","ts":"1761800000000"}"#, #"{"id":"a\"b\u00e9","ts":1761800000000,"extra":[{}]}"#]
        _ = Self.expectSameOutcomes(events.map { Array($0.utf8) }, schema: schema, config: config)
    }

    /// Where the flat path would not be exact, the evaluator does not take it.
    @Test func flatPathOnlyWhereExact() throws {
        func evaluator(_ yaml: String, _ configure: (inout PipelineConfig) -> Void = { _ in }) throws -> RecordEvaluator {
            var config = PipelineConfig()
            configure(&config)
            return RecordEvaluator(schema: try EventSchema.load(yaml: yaml), config: config)
        }
        let open = "allow_unknown: true\nschema:\n  event_id: {type: string}\n  ts: {type: string}\n"
        #expect(try evaluator(open).usesFlatPath)
        #expect(try evaluator(open) { $0.keepUnknownFields = false }.usesFlatPath)
        #expect(try !evaluator(open) { $0.dedupKey = .contentHash }.usesFlatPath)
        #expect(try !evaluator(open) { $0.eventTimeField = "meta.at" }.usesFlatPath)
        #expect(try !evaluator(open) { $0.dedupKey = .fields(["event_id", "meta.id"]) }.usesFlatPath)
        #expect(try !evaluator("schema:\n  event_id: {type: string}\n  ts: {type: string}\n").usesFlatPath)
        #expect(try !evaluator(open + "  n: {type: integer, default: 1}\n").usesFlatPath)
        #expect(try !evaluator(open + "  n: {type: integer, excludes: event_id}\n").usesFlatPath)
    }
}
