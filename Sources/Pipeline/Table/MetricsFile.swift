/// `OUT_DIR/_weir/metrics.txt`: the running totals as `name value` lines, rewritten atomically at each commit, as the
/// original notebook did (`total`, `valid`, `invalid`, `duplicates`, then `dlq_<reason>`).
public enum MetricsFile {
    /// Renders the totals in a stable order.
    public static func render(_ totals: [String: Int64]) -> String {
        let head = ["total", "valid", "invalid", "duplicates"]
        var lines = head.map { "\($0) \(totals[$0] ?? 0)" }
        for key in totals.keys.sorted() where !head.contains(key) { lines.append("\(key) \(totals[key]!)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `metrics.txt` atomically.
    public static func write(_ totals: [String: Int64], layout: LakeLayout) throws {
        try DurableFile.writeAtomically(Array(render(totals).utf8), to: layout.metricsFile)
    }
}
