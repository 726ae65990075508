import EventSchema
import Foundation
import Testing
@testable import Pipeline

@Suite struct RecordEvaluatorTests {
    func evaluator(_ configure: (inout PipelineConfig) -> Void = { _ in }) throws -> RecordEvaluator {
        var config = PipelineConfig()
        configure(&config)
        return RecordEvaluator(schema: try EventSchema.load(contentsOf: Paths.schema), config: config)
    }

    func record(_ json: String) -> SourceRecord {
        SourceRecord(topic: "pi2_events", partition: 0, offset: 0, key: nil, value: Array(json.utf8), timestampMs: nil)
    }

    func event(ts: String, id: String = "e1") -> String {
        #"{"event_id":"\#(id)","ts":"\#(ts)","usuario_id":7,"accion":"view","monto":1.5}"#
    }

    @Test func plausibilityWindowRejectsAsBadTimestamp() throws {
        let now = FoundationTime.micros(2025, 10, 30, 12)
        let e = try evaluator { c in
            c.maxPast = .seconds(86_400)
            c.maxFuture = .seconds(3_600)
        }
        func reason(_ ts: String) -> RejectionReason? {
            if case .rejected(let r) = e.evaluate(record(event(ts: ts)), nowMicros: now) { return r.reason }
            return nil
        }
        #expect(reason("2025-10-30T12:59:59Z") == nil)
        #expect(reason("2025-10-30T13:00:01Z") == .badTimestamp)
        #expect(reason("2025-10-29T12:00:01Z") == nil)
        #expect(reason("2025-10-29T11:59:59Z") == .badTimestamp)
        #expect(reason("2025-02-30T00:00:00Z") == .badTimestamp)
    }

    /// Issue 15: an offset can push a local time at the edge of the calendar out of it; such events would land in
    /// `date=10000-01-01` or `date=0000-12-31`. They go to the DLQ as `bad_timestamp`, as epoch values already do.
    @Test func instantsOutsideTheCalendarAreBadTimestamps() throws {
        let e = try evaluator()
        func reason(_ ts: String) -> RejectionReason? {
            switch e.evaluate(record(event(ts: ts)), nowMicros: 0) {
            case .rejected(let r): return r.reason
            default: return nil
            }
        }
        #expect(reason("9999-12-31T23:59:59-01:00") == .badTimestamp)
        #expect(reason("0001-01-01T00:00:00+01:00") == .badTimestamp)
        #expect(reason("9999-12-31T23:59:59Z") == nil)
        #expect(reason("9999-12-31T23:59:59+01:00") == nil)
        #expect(reason("0001-01-01T00:00:00Z") == nil)
        #expect(reason("0001-01-01T00:00:00-01:00") == nil)
    }

    @Test func bucketsAndKeys() throws {
        let e = try evaluator { $0.partitioning = HivePartitioning(byHour: true) }
        guard case .accepted(let a) = e.evaluate(record(event(ts: "2024-03-10T00:30:00+05:30")), nowMicros: 0),
              case .accepted(let b) = e.evaluate(record(event(ts: "2024-03-09T19:59:59Z")), nowMicros: 0),
              case .accepted(let c) = e.evaluate(record(event(ts: "2024-03-09T20:00:00Z", id: "e2")), nowMicros: 0) else {
            Issue.record("valid events rejected"); return
        }
        #expect(a.eventMicros == FoundationTime.micros(2024, 3, 9, 19))
        #expect(a.bucket == b.bucket && a.bucket != c.bucket)
        #expect(a.key == b.key, "same event_id, same dedup key")
        #expect(a.key != c.key)
        #expect(a.cells.count == e.layout.columns.count)
        // Dedup on content: whitespace and key order do not matter, values do.
        let h = try evaluator { $0.dedupKey = .contentHash }
        func key(_ json: String) -> DedupKey? {
            if case .accepted(let x) = h.evaluate(record(json), nowMicros: 0) { return x.key }
            return nil
        }
        let k1 = key(#"{"event_id":"e1","ts":"2024-03-09T19:59:59Z","usuario_id":7,"accion":"view"}"#)
        let k2 = key(#"{ "accion":"view", "usuario_id":7, "ts":"2024-03-09T19:59:59Z", "event_id":"e1" }"#)
        let k3 = key(#"{"event_id":"e1","ts":"2024-03-09T19:59:59Z","usuario_id":8,"accion":"view"}"#)
        #expect(k1 != nil && k1 == k2 && k1 != k3)
        let none = try evaluator { $0.dedupKey = .none }
        if case .accepted(let x) = none.evaluate(record(event(ts: "2024-03-09T19:59:59Z")), nowMicros: 0) { #expect(x.key == nil) }
    }

    @Test func cellsDoNotDependOnKeyOrder() throws {
        let e = try evaluator()
        func cells(_ json: String) -> String? {
            guard case .accepted(let a) = e.evaluate(record(json), nowMicros: 42) else { return nil }
            return "\(a.cells)"
        }
        let ts = "2024-03-09T19:59:59Z"
        let micros = FoundationTime.micros(2024, 3, 9, 19) + 59 * 60_000_000 + 59_000_000
        // Schema order, no unknown fields: `_extra` is null.
        #expect(cells(event(ts: ts)) == "\([RowBuffer.Cell.string("e1"), .int64(micros), .int64(7), .string("view"), .double(1.5), .int64(42), .string(nil), .int32(0), .int64(0)])")
        // Reversed order with unknown fields in between: the same values, and the unknown fields in `_extra`.
        let shuffled = #"{"monto":1.5,"x":[1],"accion":"view","usuario_id":7,"y":null,"ts":"\#(ts)","event_id":"e1"}"#
        #expect(cells(shuffled) == "\([RowBuffer.Cell.string("e1"), .int64(micros), .int64(7), .string("view"), .double(1.5), .int64(42), .string(#"{"x":[1],"y":null}"#), .int32(0), .int64(0)])")
        guard case .accepted(let a) = e.evaluate(record(shuffled), nowMicros: 42),
              case .accepted(let b) = e.evaluate(record(event(ts: ts)), nowMicros: 42) else { Issue.record("rejected"); return }
        #expect(a.key == b.key && a.key != nil)
    }

    /// `_extra` holds the unknown members' original text, cut from the record (issue 21): spaces inside values,
    /// number spellings and string escapes stay as the producer wrote them; keys keep their escapes; nested
    /// objects and the last member before `}` are cut whole. It is valid JSON that decodes to those members, and
    /// a batch evaluation (one scratch buffer for all records) gives the same cells as one record at a time.
    @Test func unknownFieldsKeepTheirOriginalText() throws {
        let e = try evaluator()
        let json = #"{ "k\u00e9y" : [1, 2.50, {"a" : "\u00e9\n"}] ,"event_id":"e1","ts":"2024-03-09T19:59:59Z","usuario_id":7,"accion":"view","z": -0 ,"n":{"x":1e2} }"#
        guard case .accepted(let a) = e.evaluate(record(json), nowMicros: 0), case .string(let extra?) = a.cells[6] else {
            Issue.record("rejected or no _extra"); return
        }
        #expect(extra == #"{"k\u00e9y":[1, 2.50, {"a" : "\u00e9\n"}],"z":-0,"n":{"x":1e2}}"#)
        let decoded = try StrictJSONDecoder().decode(extra)
        #expect(decoded == .object(JSONObject([("k\u{e9}y", .array([.int(1), .double(2.5), .object(JSONObject([("a", .string("\u{e9}\n"))]))])),
                                               ("z", .int(0)), ("n", .object(JSONObject([("x", .double(100))])))])))
        let records = [record(json), record(event(ts: "2024-03-09T19:59:59Z")), record("[1]"), record(json)]
        let batch = e.evaluate(records, nowMicros: 0)
        #expect(batch.map(Self.describe) == records.map { Self.describe(e.evaluate($0, nowMicros: 0)) })
    }

    static func describe(_ outcome: RecordEvaluator.Outcome) -> String {
        switch outcome {
        case .accepted(let a): return "\(a.cells) \(a.bucket) \(String(describing: a.key))"
        case .rejected(let r): return "\(r.reason) \(r.detail)"
        }
    }

    @Test func tableLayoutFromSchema() throws {
        let e = try evaluator()
        let columns = Dictionary(uniqueKeysWithValues: e.layout.columns.map { ($0.name, $0) })
        #expect(columns["ts"]?.kind == .timestampMicros && columns["ts"]?.required == true)
        #expect(columns["event_id"]?.kind == .string && columns["event_id"]?.required == true)
        #expect(columns["usuario_id"]?.kind == .int64)
        #expect(columns["monto"]?.kind == .double && columns["monto"]?.required == false)
        #expect(e.layout.columns.suffix(4).map(\.name) == ["processing_ts", "_extra", "_kafka_partition", "_kafka_offset"])
    }
}

extension PipelineRunnerTests {
    /// `lake.partition_by_hour`: files land in `date=…/hour=HH` of the UTC instant, as DuckDB's Hive reader sees them.
    @Test func hourPartitionsThroughTheRunner() async throws {
        let times = ["2024-03-10T00:30:00+05:30", "2024-03-09T23:59:59Z", "2024-03-10T00:00:00Z", "2024-12-31T22:15:00-03:00"]
        let values: [[UInt8]?] = times.enumerated().map { i, ts in
            Array(#"{"event_id":"e\#(i)","ts":"\#(ts)","usuario_id":1,"accion":"click","monto":null}"#.utf8)
        }
        let h = try Harness("hours") { $0.partitioning = HivePartitioning(byHour: true) }
        try await h.run(InMemoryRecordSource(values: values))
        let f = ISO8601DateFormatter()
        let rows = try LakeOracle.rows(h.root)
        #expect(rows.count == times.count)
        for r in rows {
            let i = Int(int64(r["_kafka_offset"]) ?? -1)
            let instant = f.date(from: times[i])!
            let c = FoundationTime.calendar.dateComponents([.year, .month, .day, .hour], from: instant)
            #expect(r["date"] as? String == "\(pad(c.year!, 4))-\(pad(c.month!, 2))-\(pad(c.day!, 2))", "\(times[i])")
            // DuckDB reads the zero-padded `hour=HH` as text.
            #expect(r["hour"] as? String == pad(c.hour!, 2), "\(times[i])")
            #expect(int64(r["ts"]) == Int64(instant.timeIntervalSince1970) * 1_000_000)
        }
        let metrics = try String(contentsOfFile: h.layout.metricsFile, encoding: .utf8)
        #expect(metrics.hasPrefix("total 4\nvalid 4\ninvalid 0\nduplicates 0\n"))
    }
}

extension RecordEvaluatorTests {
    /// A nested event-time field (`meta.dt`) in a configured strftime format adds an `event_ts` column.
    @Test func nestedEventTimeWithPattern() throws {
        let schema = try EventSchema.load(yaml: """
            schema:
              id: {type: string, required: true}
              meta:
                type: dict
                required: true
                schema:
                  dt: {type: string, required: true}
            """)
        var config = PipelineConfig()
        config.eventTimeField = "meta.dt"
        config.eventTimeFormat = try EventTimeFormat.parse("%Y-%m-%d %H:%M:%S UTC")
        config.dedupKey = .fields(["id"])
        let e = RecordEvaluator(schema: schema, config: config)
        #expect(e.layout.columns.contains { $0.name == "event_ts" && $0.source == .eventTime })
        #expect(e.layout.columns.first { $0.name == "meta" }?.kind == .json)
        let ok = record(#"{"id":"a","meta":{"dt":"2019-10-01 00:00:00 UTC"}}"#)
        guard case .accepted(let a) = e.evaluate(ok, nowMicros: 0) else { Issue.record("rejected"); return }
        #expect(a.eventMicros == FoundationTime.micros(2019, 10, 1))
        let bad = record(#"{"id":"a","meta":{"dt":"2019-10-01T00:00:00Z"}}"#)
        guard case .rejected(let r) = e.evaluate(bad, nowMicros: 0) else { Issue.record("accepted"); return }
        #expect(r.reason == .badTimestamp)
    }
}
