import Foundation
import Testing
@testable import WeirCLI

/// The rule behind `/readyz`'s store check (issue 15): answering while the last check succeeded and the last
/// success is recent; a failed or hung check says "no" without waiting for the store. Clock injected.
@Suite struct StoreProbeTests {
    @Test func answeringNeedsARecentSuccessfulCheck() {
        let t0 = ContinuousClock.now
        var health = StoreProbe.Health()
        #expect(!health.isAnswering(at: t0, maxAge: .seconds(3)), "no check yet")
        health.record(answered: true, at: t0)
        #expect(health.isAnswering(at: t0 + .seconds(3), maxAge: .seconds(3)))
        #expect(!health.isAnswering(at: t0 + .seconds(4), maxAge: .seconds(3)), "the check hangs: stale success")
        health.record(answered: false, at: t0 + .seconds(1))
        #expect(!health.isAnswering(at: t0 + .seconds(1), maxAge: .seconds(3)), "the last check failed")
        health.record(answered: true, at: t0 + .seconds(2))
        #expect(health.isAnswering(at: t0 + .seconds(2), maxAge: .seconds(3)))
    }

    /// The thread checks at once and then every interval; `isAnswering` reads memory only.
    @Test func probeFollowsTheStore() async throws {
        let answers = LockedFlag(true)
        let probe = StoreProbe(interval: .milliseconds(20), maxAge: .seconds(3)) { answers.value }
        probe.start()
        defer { probe.stop() }
        // Generous safety nets: the probe's thread may wait long for a core on a busy machine.
        var deadline = ContinuousClock.now + .seconds(120)
        while !probe.isAnswering && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(probe.isAnswering)
        answers.value = false
        deadline = ContinuousClock.now + .seconds(120)
        while probe.isAnswering && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!probe.isAnswering)
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: Bool
    init(_ value: Bool) { _value = value }
    var value: Bool {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
