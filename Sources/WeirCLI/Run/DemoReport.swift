import Foundation
import Pipeline

/// The demo's closing summary and its reconciliation: produced = landed + duplicates + DLQ, and the DLQ topic
/// holds exactly the DLQ count.
struct DemoReport {
    let produced: Int
    let summary: RunSummary
    let dlqInTopic: Int
    let p50: Int64?
    let p99: Int64?
    let lake: String

    /// `duckdb` when it is on PATH, else the CLI that `scripts/setup` installs into `.venv/bin/`.
    var duckdbCommand: String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let onPath = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/duckdb") }
        if onPath { return "duckdb" }
        let venv = FileManager.default.currentDirectoryPath + "/.venv/bin/duckdb"
        return FileManager.default.isExecutableFile(atPath: venv) ? ".venv/bin/duckdb" : "duckdb"
    }

    var reconciles: Bool {
        let c = summary.counts
        return produced == c.valid + c.duplicates + c.invalid && dlqInTopic == c.invalid && c.total == produced
    }

    func render() -> String {
        let c = summary.counts
        var lines = ["", "── summary ──────────────────────────────────────────",
                     "produced            \(produced)",
                     "landed in the lake  \(c.valid)",
                     "duplicates dropped  \(c.duplicates)",
                     "dead-lettered       \(c.invalid)  (topic pi2_events_dlq holds \(dlqInTopic))"]
        for (reason, n) in c.deadLettered.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            lines.append("  \(reason.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0))\(n)")
        }
        lines.append("files               \(summary.files) (\(summary.bytes) bytes)")
        lines.append("throughput          \(Int(summary.throughput)) events/s")
        if let p50, let p99 { lines.append("latency produce→commit  p50 \(p50) ms, p99 \(p99) ms") }
        lines.append(reconciles
            ? "reconciled: \(produced) produced = \(c.valid) landed + \(c.duplicates) duplicates + \(c.invalid) DLQ"
            : "NOT RECONCILED: produced \(produced) ≠ landed \(c.valid) + duplicates \(c.duplicates) + DLQ \(c.invalid) (DLQ topic \(dlqInTopic))")
        lines.append("")
        lines.append("query the lake:")
        lines.append("  \(duckdbCommand) -c \"SELECT date, count(*) AS events, sum(monto) AS monto FROM read_parquet('\(lake)/**/*.parquet', hive_partitioning=1) GROUP BY 1 ORDER BY 1\"")
        return lines.joined(separator: "\n")
    }
}
