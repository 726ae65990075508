import Foundation

/// Whether the checkpoint store answers, as `/readyz` needs it: measured by a background thread every
/// `interval`, read from memory by the probe, so `/readyz` answers at once whatever the store does.
///
/// The store counts as answering while the last check succeeded and the last success is at most `maxAge` old: a
/// check that hangs (a stalled file system) turns the answer to "no" after `maxAge` without waiting for it.
final class StoreProbe: @unchecked Sendable {
    /// The pure rule, with an injected clock.
    struct Health: Equatable {
        var lastSuccess: ContinuousClock.Instant?
        var lastFailed = false

        mutating func record(answered: Bool, at now: ContinuousClock.Instant) {
            lastFailed = !answered
            if answered { lastSuccess = now }
        }

        func isAnswering(at now: ContinuousClock.Instant, maxAge: Duration) -> Bool {
            guard !lastFailed, let last = lastSuccess else { return false }
            return now - last <= maxAge
        }
    }

    let interval: Duration
    let maxAge: Duration
    private let check: @Sendable () -> Bool
    private let lock = NSLock()
    private var health = Health()
    private var stopped = false

    /// - Parameters:
    ///   - check: asks the store (blocking, bounded by its own timeout), e.g. `SQLiteCheckpointStore.answers`.
    ///   - interval: time between checks (default 1 s).
    ///   - maxAge: how old the last success may be (default 3 s).
    init(interval: Duration = .seconds(1), maxAge: Duration = .seconds(3), check: @escaping @Sendable () -> Bool) {
        self.interval = interval
        self.maxAge = maxAge
        self.check = check
    }

    /// Starts the checking thread; the first check runs at once.
    func start() {
        let thread = Thread { [self] in
            while !lock.withLock({ stopped }) {
                let answered = check()
                lock.withLock { health.record(answered: answered, at: .now) }
                Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
            }
        }
        thread.name = "weir.store-probe"
        thread.start()
    }

    /// Stops the checking thread after its current check.
    func stop() { lock.withLock { stopped = true } }

    /// Whether the store answers, from the last checks; never blocks on the store.
    var isAnswering: Bool { lock.withLock { health.isAnswering(at: .now, maxAge: maxAge) } }
}
