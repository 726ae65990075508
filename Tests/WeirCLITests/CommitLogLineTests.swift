import Foundation
@testable import Observability
import Testing
@testable import Pipeline

/// The `committed` log line keeps its counts and durations numeric in JSON logs (docs/OBSERVABILITY.md), so that a
/// log query can compare them.
@Suite struct CommitLogLineTests {
    @Test func countsAndDurationsAreJSONNumbers() throws {
        var counts = BatchCounts()
        counts.total = 25_000
        counts.valid = 21_197
        let report = CommitReport(commitID: 4, counts: counts, files: [], deadLetters: 0, offsets: [:],
                                  duration: .milliseconds(88), phases: CommitPhases(), committedAtMicros: 0,
                                  trigger: "rows", lastEventMicros: [:], sourceTimestampsMs: [])
        let line = JSONLineStyle.render(timestamp: "t", level: .info, label: "weir", message: "committed",
                                        metadata: MetadataFlattener.flatten(report.logMetadata))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        #expect(object["records"] as? Int == 25_000, "\(line)")
        #expect(object["landed"] as? Int == 21_197, "\(line)")
        #expect(object["commit_id"] as? Int == 4, "\(line)")
        #expect(object["duration_ms"] as? Int == 88, "\(line)")
        #expect(object["trigger"] as? String == "rows", "\(line)")
        #expect(line.contains("\"records\":25000"), "a number, not a string: \(line)")
    }
}
