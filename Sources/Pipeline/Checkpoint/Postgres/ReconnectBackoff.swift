/// How long to wait before each new attempt to reach the store: exponential from `initial`, doubled per failed
/// attempt up to `maximum`; attempts stop once `giveUpAfter` has passed since the first failure.
public struct ReconnectBackoff: Sendable, Equatable {
    public var initial: Duration = .milliseconds(100)
    public var maximum: Duration = .seconds(5)
    /// How long an operation keeps retrying a lost store before it fails (`StoreError`). Default 15 minutes.
    public var giveUpAfter: Duration = .seconds(900)

    public init() {}

    public init(initial: Duration, maximum: Duration, giveUpAfter: Duration) {
        self.initial = initial
        self.maximum = maximum
        self.giveUpAfter = giveUpAfter
    }

    /// The wait after failed attempt `attempt` (1-based), or nil when `elapsed` since the first failure is past
    /// `giveUpAfter`.
    public func delay(afterAttempt attempt: Int, elapsed: Duration) -> Duration? {
        guard elapsed < giveUpAfter else { return nil }
        var wait = initial
        for _ in 1..<max(1, attempt) {
            wait *= 2
            if wait >= maximum { return min(maximum, giveUpAfter - elapsed) }
        }
        return min(wait, maximum, giveUpAfter - elapsed)
    }
}
