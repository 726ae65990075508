import EventSchema
import Foundation
import Parquet
import Testing
@testable import Pipeline

/// Each commit reports where its time went (logged as dlq_ms, files_ms, store_ms).
@Suite struct CommitPhasesTests {
    @Test func phasesAreMeasuredAndFitInTheCommitDuration() async throws {
        let h = try Harness("phases")
        let values: [[UInt8]?] = (0..<300).map { i in
            let valid = #"{"event_id":"p\#(i)","ts":"2025-10-28T11:30:48Z","usuario_id":\#(i),"accion":"view","monto":1.5}"#
            return Array((i % 10 == 0 ? "not json \(i)" : valid).utf8)
        }
        let reports = ReportBox()
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let committer = try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions())
        let runner = PipelineRunner(config: h.config, source: InMemoryRecordSource(values: values), store: h.store,
                                    committer: committer, deadLetters: FileDeadLetterSink(),
                                    evaluator: RecordEvaluator(schema: schema, config: h.config),
                                    options: .init(untilIdle: .milliseconds(250)),
                                    observer: PipelineObserver(committed: { reports.append($0) }))
        try await runner.run()
        let all = reports.all
        try #require(!all.isEmpty)
        #expect(all.reduce(0) { $0 + $1.counts.total } == 300)
        for r in all {
            let p = r.phases
            #expect(p.deadLetters >= .zero && p.files > .zero && p.store > .zero)
            #expect(p.deadLetters + p.files + p.store <= r.duration)
        }
    }
}

private final class ReportBox: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [CommitReport] = []
    func append(_ r: CommitReport) { lock.withLock { reports.append(r) } }
    var all: [CommitReport] { lock.withLock { reports } }
}
