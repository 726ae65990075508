import Foundation
import Testing
@testable import Pipeline

/// `BlockingFanOut`: the commit's files published side by side on object storage.
@Suite struct BlockingFanOutTests {
    /// Counts the items running at once and the highest count seen.
    final class Gauge: @unchecked Sendable {
        private let lock = NSLock()
        private var running = 0
        private(set) var peak = 0
        private(set) var ran: [Int] = []

        func enter() { lock.withLock { running += 1; peak = max(peak, running) } }
        func leave(_ i: Int) { lock.withLock { running -= 1; ran.append(i) } }
        var snapshot: (peak: Int, ran: [Int]) { lock.withLock { (peak, ran.sorted()) } }
    }

    @Test func itemsRunSideBySideUpToTheWidth() throws {
        let gauge = Gauge()
        // Each of the first four items waits until four are running at once (a safety net of 30 s): run one by one,
        // the first would wait in vain and the peak stay 1.
        try BlockingFanOut.run(count: 12, width: 4) { i in
            gauge.enter()
            if i < 4 {
                let deadline = Date().addingTimeInterval(30)
                while gauge.snapshot.peak < 4 && Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
            }
            gauge.leave(i)
        }
        #expect(gauge.snapshot.peak == 4)
        #expect(gauge.snapshot.ran == Array(0..<12))
    }

    @Test func widthOneRunsInOrderOnTheCaller() throws {
        let caller = pthread_self()
        let order = Gauge()
        try BlockingFanOut.run(count: 5, width: 1) { i in
            #expect(pthread_equal(pthread_self(), caller) != 0)
            order.enter()
            order.leave(i)
        }
        #expect(order.snapshot.peak == 1)
        #expect(order.snapshot.ran == Array(0..<5))
    }

    struct Failure: Error, Equatable { let index: Int }

    @Test(arguments: [1, 3]) func everyItemRunsAndTheLowestFailureIsThrown(width: Int) {
        let gauge = Gauge()
        #expect(throws: Failure(index: 2)) {
            try BlockingFanOut.run(count: 8, width: width) { i in
                gauge.enter()
                gauge.leave(i)
                if i == 2 || i == 6 { throw Failure(index: i) }
            }
        }
        #expect(gauge.snapshot.ran == Array(0..<8))
    }

    @Test func nothingToDoReturnsAtOnce() throws {
        try BlockingFanOut.run(count: 0, width: 8) { _ in Issue.record("no item should run") }
    }
}
