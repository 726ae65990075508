/// Service-level summary of a run or a window, computed from event counts: the SLI (success
/// ratio), the error budget left against the objective, and throughput. Pure; used by
/// `weir status` and the end-of-run summary line.
///
/// SLI = good / eligible, where good = `success` and eligible = every status except `duplicate`
/// and `tombstone` (which are neither good nor bad). The dashboard's SLO panel uses the same rule.
public struct SLOReport: Sendable, Equatable {
    /// Events counted as good (`success`).
    public let good: Int
    /// Events counted as bad (any ``EventStatus/isFailure`` status).
    public let bad: Int
    /// All events including duplicates and tombstones.
    public let total: Int
    /// Target success ratio, e.g. 0.995.
    public let objective: Double
    /// good / (good + bad); 1 when there were no eligible events.
    public let successRatio: Double
    /// Fraction of the error budget left: 1 − (bad ratio / (1 − objective)). 1 = untouched,
    /// 0 = exactly spent, negative = overspent. 1 when there were no eligible events.
    public let errorBudgetRemaining: Double
    /// total / duration in events per second; 0 when the duration is not positive.
    public let throughputPerSecond: Double

    /// Whether ``successRatio`` ≥ ``objective``.
    public var meetsObjective: Bool { successRatio >= objective }

    /// The default objective: 99.5 %.
    public static let defaultObjective = 0.995

    /// Computes a report.
    ///
    /// - Parameters:
    ///   - counts: events per status (missing statuses count 0; negative counts are treated as 0).
    ///   - duration: wall-clock time the counts cover.
    ///   - objective: target success ratio in (0, 1), default 0.995; clamped to [0, 0.999999].
    public static func compute(
        counts: [EventStatus: Int], duration: Duration, objective: Double = defaultObjective
    ) -> SLOReport {
        var good = 0, bad = 0, total = 0
        for (status, raw) in counts {
            let n = max(0, raw)
            total += n
            if status == .success { good += n } else if status.isFailure { bad += n }
        }
        let target = min(max(objective, 0), 0.999999)
        let eligible = good + bad
        let ratio = eligible == 0 ? 1 : Double(good) / Double(eligible)
        let budget = eligible == 0 ? 1 : 1 - (1 - ratio) / (1 - target)
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return SLOReport(
            good: good, bad: bad, total: total, objective: target, successRatio: ratio,
            errorBudgetRemaining: budget, throughputPerSecond: seconds > 0 ? Double(total) / seconds : 0)
    }

    /// One line for logs and `weir status`, e.g.
    /// `sli=99.800% (slo 99.5%) budget_left=60.0% throughput=1234.5/s events=10000 bad=20`.
    public var summaryLine: String {
        func pct(_ x: Double, _ digits: Int) -> String {
            let scale = pow10(digits)
            return String((x * 100 * scale).rounded() / scale) + "%"
        }
        return "sli=\(pct(successRatio, 3)) (slo \(pct(objective, 3))) budget_left=\(pct(errorBudgetRemaining, 1)) "
            + "throughput=\((throughputPerSecond * 10).rounded() / 10)/s events=\(total) bad=\(bad)"
    }

    private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { acc, _ in acc * 10 } }
}
