import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Shows progress while a pipeline runs: one live line rewritten in place when stdout is a terminal, plain
/// periodic lines otherwise (every `interval`).
final class ProgressReporter: @unchecked Sendable {
    private let isTTY = isatty(1) == 1
    private let interval: Duration
    private var lastPrinted = ContinuousClock.now
    private var lastProcessed = 0
    private var lastAt = ContinuousClock.now
    private let lock = NSLock()

    init(interval: Duration = .seconds(2)) { self.interval = interval }

    /// Called about once a second with the current facts.
    func update(processed: Int, committed: Int, landed: Int, dlq: Int, lag: Int64?, produced: Int?) {
        lock.lock(); defer { lock.unlock() }
        let now = ContinuousClock.now
        let rate = Double(processed - lastProcessed) / max(0.001, (now - lastAt).seconds)
        lastProcessed = processed
        lastAt = now
        var line = "events/s \(Int(rate))  committed \(committed)  landed \(landed)  dlq \(dlq)"
        if let lag { line += "  lag \(lag)" }
        if let produced { line = "produced \(produced)  " + line }
        if isTTY {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
        } else if now - lastPrinted >= interval {
            lastPrinted = now
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }

    /// Ends the live line.
    func finish() {
        if isTTY { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}
