import Foundation
import WeirTestSupport
import Testing

/// A real Prometheus scrapes a running `weir simulate` and finds `kafka_events_processed_total` equal to what
/// Weir itself reports in `_weir/metrics.txt` (issue 8).
@Suite struct WeirScrapeTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    @Test(.timeLimit(.minutes(10))) func prometheusSeesWhatWeirSimulateReports() async throws {
        let lake = TestDirectories.make("scrape")
        defer { TestDirectories.remove(lake) }
        let logs = TestDirectories.make("scrape-output")
        defer { TestDirectories.remove(logs) }
        let port = try TestSupport.freePort()
        let weir = Process()
        weir.executableURL = URL(fileURLWithPath: Self.root + "/.build/debug/weir")
        weir.arguments = ["simulate", "--count", "20000", "--out-dir", lake, "--listen", "127.0.0.1:\(port)",
                          "--linger", "300", "--schema", Self.root + "/schemas/pi2_events.v1.yaml", "--log-format", "json"]
        _ = FileManager.default.createFile(atPath: logs + "/stdout", contents: nil)
        _ = FileManager.default.createFile(atPath: logs + "/stderr", contents: nil)
        weir.standardOutput = FileHandle(forWritingAtPath: logs + "/stdout")
        weir.standardError = FileHandle(forWritingAtPath: logs + "/stderr")
        /// weir simulate's output, for a failure message.
        func output() -> String {
            let out = (try? String(contentsOfFile: logs + "/stdout", encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: logs + "/stderr", encoding: .utf8)) ?? ""
            return "--- weir simulate stdout:\n\(out.suffix(3000))\n--- stderr:\n\(err.suffix(3000))"
        }
        try weir.run()
        defer { if weir.isRunning { weir.terminate() } }
        let prometheus = try await PrometheusTestServer.start(targets: ["127.0.0.1:\(port)"])
        defer { prometheus.stop() }

        // Weir's own account, written atomically at each commit: wait for the run to finish.
        var totals: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(180)  // a safety net: the loop ends when the run has committed all
        while Date() < deadline {
            let text = (try? String(contentsOfFile: lake + "/_weir/metrics.txt", encoding: .utf8)) ?? ""
            totals = Dictionary(text.split(separator: "\n").compactMap { line -> (String, Int)? in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let n = Int(parts[1]) else { return nil }
                return (String(parts[0]), n)
            }, uniquingKeysWith: { a, _ in a })
            if totals["total"] == 20_000 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(totals["total"] == 20_000, "\(output())")
        let expected: [String: Double] = [
            "success": Double(totals["valid"] ?? -1),
            "duplicate": Double(totals["duplicates"] ?? -1),
            "validation_error": Double(totals["dlq_schema"] ?? 0),
            "parse_error": Double(totals["dlq_parse_error"] ?? 0),
            "not_object": Double(totals["dlq_not_object"] ?? 0),
        ]
        let samples = try await prometheus.waitFor("kafka_events_processed_total", timeout: .seconds(120)) { samples in
            let got = Dictionary(samples.compactMap { s in s.labels["status"].map { ($0, s.value) } }, uniquingKeysWith: { a, _ in a })
            return expected.allSatisfy { got[$0.key] == $0.value }
        }
        #expect(samples.reduce(0) { $0 + $1.value } == 20_000, "\(output())")
    }
}
