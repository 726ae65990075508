import Foundation

/// The answer of a readiness probe, served on `/readyz`.
public struct ReadinessStatus: Sendable, Equatable {
    /// `true` → HTTP 200; `false` → HTTP 503 with `{"ready":false,"reason":...}`.
    public var isReady: Bool
    /// Why the process is not ready (a short, log-safe sentence); `nil` when ready.
    public var reason: String?

    /// Ready.
    public static let ready = ReadinessStatus(isReady: true, reason: nil)

    /// Not ready, because of `reason`.
    public static func notReady(_ reason: String) -> ReadinessStatus {
        ReadinessStatus(isReady: false, reason: reason)
    }
}

/// Something that can say whether the process is ready to serve. Called on the HTTP event loop
/// for each `/readyz` request: it must be cheap and must not block.
public protocol ReadinessProbe: Sendable {
    /// The current readiness.
    func readiness() -> ReadinessStatus
}

/// A ``ReadinessProbe`` backed by a closure.
public struct ClosureReadinessProbe: ReadinessProbe {
    private let body: @Sendable () -> ReadinessStatus

    /// - Parameter body: computes the readiness; called on every `/readyz` request.
    public init(_ body: @escaping @Sendable () -> ReadinessStatus) {
        self.body = body
    }

    /// Calls the closure.
    public func readiness() -> ReadinessStatus { body() }
}

/// Weir's readiness rule: partitions assigned, store reachable, and last commit recent enough.
///
/// Before the first commit, the start time stands in for the last commit, so a freshly started
/// process is ready for `maxCommitAge` without committing (an idle topic never commits).
public struct PipelineReadiness: ReadinessProbe {
    /// Maximum age of the last commit (default 5 minutes).
    public var maxCommitAge: Duration
    private let startedAt: Date
    private let partitionsAssigned: @Sendable () -> Bool
    private let storeReachable: @Sendable () -> Bool
    private let lastCommit: @Sendable () -> Date?
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - maxCommitAge: maximum accepted age of the last commit (default 300 s).
    ///   - startedAt: process start (default now); used until the first commit.
    ///   - partitionsAssigned: whether the consumer currently owns at least one partition.
    ///   - storeReachable: whether the checkpoint/dedup store answered its last probe.
    ///   - lastCommit: time of the last successful commit, `nil` before the first.
    ///   - now: clock, injectable for tests.
    public init(
        maxCommitAge: Duration = .seconds(300),
        startedAt: Date = Date(),
        partitionsAssigned: @escaping @Sendable () -> Bool,
        storeReachable: @escaping @Sendable () -> Bool,
        lastCommit: @escaping @Sendable () -> Date?,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.maxCommitAge = maxCommitAge
        self.startedAt = startedAt
        self.partitionsAssigned = partitionsAssigned
        self.storeReachable = storeReachable
        self.lastCommit = lastCommit
        self.now = now
    }

    /// Checks, in order: partitions assigned, store reachable, commit age.
    public func readiness() -> ReadinessStatus {
        guard partitionsAssigned() else { return .notReady("no partitions assigned") }
        guard storeReachable() else { return .notReady("checkpoint store unreachable") }
        let reference = lastCommit() ?? startedAt
        let age = now().timeIntervalSince(reference)
        let limit = Double(maxCommitAge.components.seconds)
            + Double(maxCommitAge.components.attoseconds) / 1e18
        guard age <= limit else {
            return .notReady("last commit \(Int(age))s ago exceeds \(Int(limit))s")
        }
        return .ready
    }
}
