import Foundation
import Testing
@testable import WeirCLI

/// The demo's progress output ends with the newest facts, not with the last line its interval let through.
@Suite struct ProgressReporterTests {
    /// Collects what the reporter writes, and a clock the test moves.
    final class Output: @unchecked Sendable {
        let lock = NSLock()
        var text = ""
        var now = ContinuousClock.now
        var lines: [String] { lock.withLock { text.split(separator: "\n").map(String.init) } }
        func write(_ s: String) { lock.withLock { text += s } }
        func advance(_ d: Duration) { lock.withLock { now += d } }
        func clock() -> ContinuousClock.Instant { lock.withLock { now } }
    }

    @Test func withoutATerminalTheLastLineShowsTheFinalCommit() {
        let out = Output()
        let progress = ProgressReporter(interval: .seconds(2), isTTY: false, write: out.write, now: out.clock)
        out.advance(.seconds(1))
        progress.update(processed: 5_000, committed: 0, landed: 0, dlq: 0, lag: nil, produced: 20_000)
        out.advance(.seconds(1))
        progress.update(processed: 12_000, committed: 0, landed: 0, dlq: 0, lag: nil, produced: 20_000)
        out.advance(.seconds(1))  // the last commits land within the interval: this line is held back…
        progress.update(processed: 20_000, committed: 20_000, landed: 17_100, dlq: 1_900, lag: 0, produced: 20_000)
        #expect(out.lines.count == 1 && out.lines[0].contains("committed 0"))
        progress.finish()  // …and shown when the run ends
        #expect(out.lines.count == 2, "\(out.lines)")
        #expect(out.lines.last?.contains("committed 20000  landed 17100  dlq 1900  lag 0") == true, "\(out.lines)")
        progress.finish()
        #expect(out.lines.count == 2, "nothing new to show: no repeated line")
    }

    @Test func onATerminalTheLiveLineIsRewrittenAndEnded() {
        let out = Output()
        let progress = ProgressReporter(interval: .seconds(2), isTTY: true, write: out.write, now: out.clock)
        out.advance(.seconds(1))
        progress.update(processed: 10, committed: 0, landed: 0, dlq: 0, lag: nil, produced: nil)
        out.advance(.seconds(1))
        progress.update(processed: 20, committed: 20, landed: 20, dlq: 0, lag: nil, produced: nil)
        progress.finish()
        #expect(out.text.hasSuffix("committed 20  landed 20  dlq 0\n"), "\(out.text)")
    }
}
