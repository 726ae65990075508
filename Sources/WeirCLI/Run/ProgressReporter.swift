import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Shows progress while a pipeline runs: one live line rewritten in place when stdout is a terminal, plain
/// periodic lines otherwise (every `interval`). `finish()` shows the last facts, so the final line is never a
/// stale one from before the last commits.
final class ProgressReporter: @unchecked Sendable {
    private let isTTY: Bool
    private let interval: Duration
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> ContinuousClock.Instant
    private var lastPrinted: ContinuousClock.Instant
    private var lastProcessed = 0
    private var lastAt: ContinuousClock.Instant
    /// The newest line, when a periodic (non-terminal) output has not printed it.
    private var unprinted: String?
    private let lock = NSLock()

    /// - Parameters:
    ///   - interval: how often a line is printed when stdout is not a terminal.
    ///   - isTTY: whether the output is a terminal (default: whether stdout is).
    ///   - write: where the text goes (default: stdout, unbuffered).
    ///   - now: the clock of `interval` and of the rate.
    init(interval: Duration = .seconds(2), isTTY: Bool = isatty(1) == 1,
         write: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) },
         now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.interval = interval
        self.isTTY = isTTY
        self.write = write
        self.now = now
        lastPrinted = now()
        lastAt = lastPrinted
    }

    /// Called about once a second with the current facts.
    func update(processed: Int, committed: Int, landed: Int, dlq: Int, lag: Int64?, produced: Int?) {
        lock.lock(); defer { lock.unlock() }
        let now = self.now()
        let rate = Double(processed - lastProcessed) / max(0.001, (now - lastAt).seconds)
        lastProcessed = processed
        lastAt = now
        var line = "events/s \(Int(rate))  committed \(committed)  landed \(landed)  dlq \(dlq)"
        if let lag { line += "  lag \(lag)" }
        if let produced { line = "produced \(produced)  " + line }
        if isTTY {
            write("\r\u{1B}[K" + line)
        } else if now - lastPrinted >= interval {
            lastPrinted = now
            unprinted = nil
            write(line + "\n")
        } else {
            unprinted = line
        }
    }

    /// Ends the live line; without a terminal, prints the newest facts if the interval held them back.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if isTTY {
            write("\n")
        } else if let line = unprinted {
            unprinted = nil
            write(line + "\n")
        }
    }
}
