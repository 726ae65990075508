import Foundation
import WeirTestSupport
import Logging
import Testing
@testable import Pipeline

/// The timing of the DLQ fence (issue 19): the permit's length, the margin a send must start within, and the wait
/// of a new owner before its DLQ scan. The clock is the test's own.
@Suite struct DeliveryWindowTests {
    let p0 = SourcePartition(topic: "t", partition: 0)
    let p1 = SourcePartition(topic: "t", partition: 1)

    /// A clock that moves only when told to, by `step` on every reading.
    final class SteppingClock: @unchecked Sendable {
        private let lock = NSLock()
        private var instant = ContinuousClock.now
        var step: Duration = .zero
        func now() -> ContinuousClock.Instant {
            lock.withLock {
                defer { instant += step }
                return instant
            }
        }
    }

    @Test func aPermitOutlastsTheMarginTheMessageTimeoutAndTheSlack() {
        let w = DeliveryWindow(messageTimeout: .seconds(30), margin: .seconds(4), slack: .seconds(3))
        #expect(w.permit == .seconds(37))
        let defaults = DeliveryWindow(messageTimeout: .seconds(30))
        #expect(defaults.permit == .seconds(30) + DeliveryWindow.defaultMargin + DeliveryWindow.defaultSlack)
        let asked = ContinuousClock.now
        #expect(w.mayStart(askedAt: asked, now: asked))
        #expect(w.mayStart(askedAt: asked, now: asked + .seconds(4)))
        #expect(!w.mayStart(askedAt: asked, now: asked + .seconds(4) + .milliseconds(1)))
    }

    @Test func aNewOwnerWaitsForTheLongestOpenPermit() {
        #expect(DeliveryWindow.scanWait(PartitionClaim()) == nil)
        let claim = PartitionClaim(openPermits: [
            p1: .init(owner: "zombie-b", remaining: .milliseconds(1_500)),
            p0: .init(owner: "zombie-a", remaining: .seconds(12)),
        ])
        #expect(DeliveryWindow.scanWait(claim) == .init(duration: .seconds(12), owners: ["zombie-a", "zombie-b"], partitions: [p0, p1]))
    }

    /// A permit that comes back after the margin is asked again, and after the last attempt the send is given
    /// up (`DeliveryPermitLate`) instead of started late; one in time lets the send start.
    @Test func aLatePermitIsAskedAgainThenRefused() throws {
        let store = try SQLiteCheckpointStore(path: Paths.tempDir("late-permit") + "/checkpoint.sqlite")
        _ = try store.claimPartitions([p0], owner: "A")
        let clock = SteppingClock()
        let window = DeliveryWindow(messageTimeout: .seconds(30), margin: .seconds(5), slack: .seconds(5))
        let fence = DeliveryFence(store: store, owner: "A", partitions: [p0], window: window, now: clock.now, attempts: 3)
        clock.step = .seconds(6)
        do {
            try fence.request()
            Issue.record("a permit later than the margin let the send start")
        } catch let late as DeliveryPermitLate {
            #expect(late.attempts == 3 && late.took == .seconds(6))
            #expect("\(late)".hasPrefix("the checkpoint store granted no DLQ delivery permit within 5"))
        }
        #expect(fence.granted, "the permits were recorded, so a new owner waits for them")
        clock.step = .seconds(5)
        try fence.request()
    }

    /// The claim at assignment waits for a previous owner's permit, by what remains of it, and logs why; a permit
    /// that ended with its commit makes nobody wait.
    @Test func theClaimWaitsForThePreviousOwnersPermit() async throws {
        let path = Paths.tempDir("claim-wait") + "/checkpoint.sqlite"
        let a = try SQLiteCheckpointStore(path: path), b = try SQLiteCheckpointStore(path: path)
        let waited = LockedBox<[Duration]>([])
        let capture = LogCapture()
        var ownership = PartitionOwnership(store: b, owner: "B", logger: Logger(label: "t", factory: { _ in CapturingLogHandler(capture: capture) }))
        ownership.sleep = { duration in waited.value.append(duration) }
        _ = try a.claimPartitions([p0, p1], owner: "A")
        try a.permitDeliveries([p1], owner: "A", window: .seconds(40))
        let wait = try await ownership.claim([p0, p1])
        #expect(wait?.partitions == [p1] && wait?.owners == ["A"])
        let slept = waited.value
        #expect(slept.count == 1 && slept[0] <= .seconds(40) && slept[0] > .seconds(30), "\(slept)")
        #expect(capture.lines.contains { $0.hasPrefix("info waiting before the DLQ scan") && $0.contains("previous_owners=[\"A\"]") },
                "\(capture.lines)")
        // B's own permit, ended by its commit: A, owning the partitions again, does not wait.
        try b.permitDeliveries([p0, p1], owner: "B", window: .seconds(40))
        var done = commit([p0: OffsetAdvance(expected: nil, next: 1), p1: OffsetAdvance(expected: nil, next: 1)])
        done.endsDeliveriesOf = "B"
        _ = try b.commit(done)
        let again = PartitionOwnership(store: a, owner: "A", logger: Logger(label: "t"), sleep: { _ in Issue.record("waited") })
        #expect(try await again.claim([p0, p1]) == nil)
    }

    /// A permit whose process has ended (a restart on the same machine after a crash) is not waited for: that
    /// process sends nothing more. One of a live process is.
    @Test func aPermitOfAnEndedProcessIsNotWaitedFor() async throws {
        let path = Paths.tempDir("claim-ended") + "/checkpoint.sqlite"
        let a = try SQLiteCheckpointStore(path: path), b = try SQLiteCheckpointStore(path: path)
        let child = try ended()
        _ = try a.claimPartitions([p0, p1], owner: "A")
        try a.permitDeliveries([p0, p1], owner: "A", window: .seconds(40))
        let db = try SQLiteDatabase(path: path)
        try db.prepare("UPDATE partition_owners SET permit_process = ? WHERE partition = 0").run([.text(child.description)])
        let waited = LockedBox<[Duration]>([])
        let capture = LogCapture()
        var ownership = PartitionOwnership(store: b, owner: "B", logger: Logger(label: "t", factory: { _ in CapturingLogHandler(capture: capture) }))
        ownership.sleep = { duration in waited.value.append(duration) }
        let wait = try await ownership.claim([p0, p1])
        #expect(wait?.partitions == [p1], "p1's permit is this (live) process's")
        #expect(capture.lines.contains { $0.hasPrefix("info not waiting for the DLQ delivery permits of the previous owner: its process has ended")
            && $0.contains("partitions=[\"t[0]\"]") }, "\(capture.lines)")
    }

    /// The identity of a child process that has ended and was reaped.
    func ended() throws -> ProcessIdentity {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitForExit()
        let me = try #require(ProcessIdentity.current)
        return try #require(ProcessIdentity("\(me.bootID)/\(me.pidNamespace)/\(child.processIdentifier)"))
    }

    @Test func aProcessHasEndedOnlyWhenThisMachineCanTell() throws {
        let me = try #require(ProcessIdentity.current)
        #expect(ProcessIdentity(me.description) == me)
        #expect(ProcessIdentity("no-slashes") == nil && ProcessIdentity("a/b/0") == nil && ProcessIdentity("a//1") == nil)
        #expect(!me.hasEnded(), "this process")
        let gone = try ended()
        #expect(gone.hasEnded())
        #expect(!gone.hasEnded(seenFrom: ProcessIdentity(bootID: "another-boot", pidNamespace: me.pidNamespace, pid: 1)))
        #expect(!gone.hasEnded(seenFrom: ProcessIdentity(bootID: me.bootID, pidNamespace: "pid:[1]", pid: 1)))
        #expect(!ProcessIdentity(bootID: "another-boot", pidNamespace: me.pidNamespace, pid: gone.pid).hasEnded(), "cannot tell")
        let running = Process()
        running.executableURL = URL(fileURLWithPath: "/bin/sleep")
        running.arguments = ["30"]
        try running.run()
        defer {
            kill(running.processIdentifier, SIGKILL)
            running.waitForExit()
        }
        #expect(!ProcessIdentity(bootID: me.bootID, pidNamespace: me.pidNamespace, pid: running.processIdentifier).hasEnded())
    }
}
