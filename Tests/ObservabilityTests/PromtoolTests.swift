import Foundation
import Testing

/// The deploy/prometheus assets are valid and every alert's unit tests pass.
@Suite struct PromtoolTests {
    private func promtool() throws -> String {
        guard let path = TestSupport.executable("promtool") else {
            Issue.record("promtool not found on PATH: run scripts/setup (installs the Debian `prometheus` package)")
            throw CancellationError()
        }
        return path
    }

    private var dir: String { TestSupport.packageRoot.appendingPathComponent("deploy/prometheus").path }

    @Test func alertRulesAreValid() throws {
        let result = try TestSupport.run(try promtool(), ["check", "rules", dir + "/alerts.yml"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func alertUnitTestsPass() throws {
        let result = try TestSupport.run(try promtool(), ["test", "rules", dir + "/alerts_test.yml"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func prometheusConfigIsValid() throws {
        let result = try TestSupport.run(try promtool(), ["check", "config", dir + "/prometheus.yml"])
        #expect(result.status == 0, "\(result.output)")
    }

    /// Every alert in alerts.yml is named in alerts_test.yml at least twice (firing and not firing).
    @Test func everyAlertIsUnitTested() throws {
        let rules = try String(contentsOfFile: dir + "/alerts.yml", encoding: .utf8)
        let tests = try String(contentsOfFile: dir + "/alerts_test.yml", encoding: .utf8)
        let names = rules.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("- alert:") else { return nil }
            return trimmed.dropFirst("- alert:".count).trimmingCharacters(in: .whitespaces)
        }
        #expect(names.count == 7)
        for name in names {
            let uses = tests.components(separatedBy: "alertname: \(name)\n").count - 1
            #expect(uses >= 2, "alert \(name) is tested \(uses) times")
        }
    }
}
