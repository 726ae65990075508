import Observability
import Testing

/// SLI, error budget and throughput arithmetic.
@Suite struct SLOReportTests {
    @Test func budgetAndThroughput() {
        let r = SLOReport.compute(
            counts: [.success: 9_980, .validationError: 20, .duplicate: 500, .tombstone: 10],
            duration: .seconds(10))
        #expect(r.good == 9_980 && r.bad == 20 && r.total == 10_510)
        #expect(abs(r.successRatio - 0.998) < 1e-12)
        #expect(abs(r.errorBudgetRemaining - 0.6) < 1e-9)  // 0.2% used of a 0.5% budget
        #expect(abs(r.throughputPerSecond - 1051) < 1e-9)
        #expect(r.meetsObjective)
        #expect(r.summaryLine.hasPrefix("sli=99.8% (slo 99.5%) budget_left=60.0% throughput=1051.0/s"))
    }

    @Test func overspentBudget() {
        let r = SLOReport.compute(counts: [.success: 98, .parseError: 1, .tooLarge: 1], duration: .seconds(1))
        #expect(abs(r.successRatio - 0.98) < 1e-12)
        #expect(abs(r.errorBudgetRemaining - (-3)) < 1e-9)
        #expect(!r.meetsObjective)
    }

    @Test func emptyAndDegenerate() {
        let r = SLOReport.compute(counts: [:], duration: .zero)
        #expect(r.successRatio == 1 && r.errorBudgetRemaining == 1 && r.throughputPerSecond == 0)
        let onlyDuplicates = SLOReport.compute(counts: [.duplicate: 5, .success: -3], duration: .seconds(1))
        #expect(onlyDuplicates.successRatio == 1 && onlyDuplicates.total == 5)
    }
}
