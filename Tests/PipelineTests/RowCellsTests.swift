import EventSchema
import Testing
@testable import Pipeline

/// The rows a batch evaluation builds share one cell array (`RowCellStorage`): each accepted record's row is the
/// one it gets when evaluated alone, also after a record rejected halfway through its row (an integer beyond the
/// 64-bit range fails only when its column is reached), and rows land in `RowBuffer` unchanged.
@Suite struct RowCellsTests {
    static let schema = """
        schema:
          id: {type: string, required: true}
          ts: {type: string, required: true}
          n: {type: integer}
          note: {type: string, nullable: true}
        """

    func record(_ json: String, offset: Int64) -> SourceRecord {
        SourceRecord(topic: "t", partition: 3, offset: offset, key: nil, value: Array(json.utf8), timestampMs: nil)
    }

    @Test func batchRowsMatchSingleEvaluationAcrossARowRejectedHalfway() throws {
        var config = PipelineConfig()
        config.eventTimeField = "ts"
        config.dedupKey = .fields(["id"])
        let e = RecordEvaluator(schema: try EventSchema.load(yaml: Self.schema), config: config)
        let records = [
            record(#"{"id":"a","ts":"2024-03-09T10:00:00Z","n":1,"note":"first"}"#, offset: 10),
            record(#"{"id":"b","ts":"2024-03-09T11:00:00Z","n":123456789012345678901234,"note":"too big"}"#, offset: 11),
            record(#"{"id":"c","ts":"2024-03-09T12:00:00Z","n":-5,"note":null}"#, offset: 12),
            record(#"not json"#, offset: 13),
            record(#"{"id":"d","ts":"2024-03-10T00:00:00Z"}"#, offset: 14),
        ]
        let batch = e.evaluate(records[...], nowMicros: 42)
        #expect(batch.count == records.count)
        var buffer = RowBuffer(layout: e.layout)
        var expected = RowBuffer(layout: e.layout)
        for (record, outcome) in zip(records, batch) {
            let alone = e.evaluate(record, nowMicros: 42)
            switch (outcome, alone) {
            case (.accepted(let a), .accepted(let b)):
                #expect("\(a.cells)" == "\(b.cells)")
                #expect(a.row.count == e.layout.columns.count)
                buffer.append(a.row, inputBytes: 1, key: a.key)
                expected.append(b.cells, inputBytes: 1, key: b.key)
            case (.rejected(let a), .rejected(let b)):
                #expect(a.reason == b.reason && a.detail == b.detail)
            default:
                Issue.record("offset \(record.offset): batch \(outcome), alone \(alone)")
            }
        }
        let accepted = batch.compactMap { if case .accepted(let a) = $0 { return a } else { return nil } }
        #expect(accepted.count == 3)
        #expect(buffer.rowCount == 3)
        #expect("\(buffer.columnValues())" == "\(expected.columnValues())")
        #expect("\(accepted[1].cells)".contains("-5"), "the row after the halfway rejection is its own: \(accepted[1].cells)")
    }
}
