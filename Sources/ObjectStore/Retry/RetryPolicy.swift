/// When a failed S3 request is tried again, and after how long: exponential backoff with "equal jitter" (half
/// of each step is fixed, half random), so retries from many writers spread out yet still back off.
///
/// Pure: the caller supplies the outcome and a random number in `[0, 1)`; nothing here sleeps or reads a clock.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; 1 disables retries. Default 8.
    public var maxAttempts: Int
    /// The backoff step before the second attempt. Default 200 ms.
    public var baseDelay: Duration
    /// The largest backoff step. Default 10 s.
    public var maxDelay: Duration

    public init(maxAttempts: Int = 8, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// 8 attempts, 200 ms doubling to 10 s: about 25 s of backoff before giving up, which rides out a restart of
    /// the service.
    public static let standard = RetryPolicy()

    /// What to do after the attempt numbered `attempt` (1-based) ended with `outcome`.
    public func decision(after outcome: AttemptOutcome, attempt: Int, random: Double) -> RetryDecision {
        guard outcome.isRetryable else { return .fail }
        guard attempt < maxAttempts else { return .giveUp }
        return .retry(after: delay(beforeAttempt: attempt + 1, random: random))
    }

    /// The wait before attempt number `attempt` (2 or more): with `step = min(maxDelay, baseDelay · 2^(attempt-2))`,
    /// a value in `[step/2, step)` chosen by `random`.
    public func delay(beforeAttempt attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 2, 0), 30)
        let base = baseDelay * Double(1 << exponent)
        let step = min(base, maxDelay)
        let r = min(max(random, 0), 0.999_999)
        return step / 2 + step / 2 * r
    }
}

/// The answer of ``RetryPolicy/decision(after:attempt:random:)``.
public enum RetryDecision: Sendable, Equatable {
    /// Try again after this wait.
    case retry(after: Duration)
    /// The failure is retryable but the attempts are used up.
    case giveUp
    /// The failure is not retryable (a client error, a TLS failure); report it now.
    case fail
}
