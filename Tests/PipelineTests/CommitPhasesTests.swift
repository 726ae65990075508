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
    private var noted: [(trigger: String, emptyPolls: Int)] = []
    func append(_ r: CommitReport) { lock.withLock { reports.append(r) } }
    var all: [CommitReport] { lock.withLock { reports } }
    func note(_ trigger: String, _ emptyPolls: Int) { lock.withLock { noted.append((trigger, emptyPolls)) } }
    var notes: [(trigger: String, emptyPolls: Int)] { lock.withLock { noted } }
}

/// A batch-style run (`--until-idle`) commits as soon as the source says every partition is read to its end,
/// without waiting for an empty poll (a Kafka poll with nothing to return waits for its whole timeout).
@Suite struct DrainedCommitTests {
    @Test(arguments: [true, false])
    func commitsWhenTheSourceIsDrained(reportsDrained: Bool) async throws {
        // A flush interval far longer than the test: on a starved machine processing 300 records once outlasted a short
        // one, and the first commit was an interval flush instead of the drained one this test is about.
        let h = try Harness("drained-\(reportsDrained)") { $0.maxPollRecords = 100; $0.flushInterval = .seconds(3_600) }
        let values: [[UInt8]?] = (0..<300).map { i in
            Array(#"{"event_id":"d\#(i)","ts":"2025-10-28T11:30:48Z","usuario_id":\#(i),"accion":"view","monto":1.5}"#.utf8)
        }
        let source = InMemoryRecordSource(values: values)
        source.reportsDrained = reportsDrained
        let emptyPollsAtCommit = ReportBox()
        if reportsDrained {
            // Empty polls return only once a commit happened (or after 5 minutes, a safety net: a starved machine
            // once took over a minute to commit): the loop must commit without one.
            source.emptyPollDelay = .seconds(300)
            source.releaseEmptyPoll = { !emptyPollsAtCommit.notes.isEmpty }
        } else {
            source.emptyPollDelay = .milliseconds(300)
        }
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let committer = try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions())
        let runner = PipelineRunner(config: h.config, source: source, store: h.store, committer: committer,
                                    deadLetters: FileDeadLetterSink(), evaluator: RecordEvaluator(schema: schema, config: h.config),
                                    options: .init(untilIdle: .milliseconds(250)),
                                    observer: PipelineObserver(committed: { report in
                                        emptyPollsAtCommit.note(report.trigger, source.emptyPollsReturned)
                                    }))
        try await runner.run()
        let first = try #require(emptyPollsAtCommit.notes.first)
        #expect(first.trigger == "drained")
        #expect(runner.committedCounts.total == 300)
        if reportsDrained {
            #expect(first.emptyPolls == 0, "committed as soon as the last records were processed")
        } else {
            #expect(first.emptyPolls >= 1, "without the drained signal the loop learns it from an empty poll")
        }
    }
}
