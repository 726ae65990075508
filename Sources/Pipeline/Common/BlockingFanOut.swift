import Foundation

/// Runs blocking work items (object storage requests) on up to `width` threads at once and waits for all of them.
///
/// The items run on threads of their own, not on libdispatch's global queues: on Linux those share their
/// threads with Swift's cooperative pool and the batch evaluation (`concurrentPerform`), so an item blocked on
/// the network there would hold back the run loop. The calling thread runs items too, so `width` 1 (or a single
/// item) starts no thread at all and runs everything in order on the caller.
enum BlockingFanOut {
    /// Calls `body(i)` for every `i` in `0..<count`, at most `width` at a time, and returns when every call has
    /// returned. Every item runs even when one fails.
    /// - Throws: the error of the lowest-numbered item that failed.
    static func run(count: Int, width: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        guard count > 0 else { return }
        let threads = max(1, min(width, count))
        if threads == 1 {
            var first: Error?
            for i in 0..<count {
                do { try body(i) } catch { if first == nil { first = error } }
            }
            if let first { throw first }
            return
        }
        let state = FanOutState(count: count)
        let done = DispatchSemaphore(value: 0)
        for _ in 1..<threads {
            let thread = Thread {
                state.drain(body)
                done.signal()
            }
            thread.name = "weir.fan-out"
            thread.start()
        }
        state.drain(body)
        for _ in 1..<threads { done.wait() }
        if let error = state.firstError { throw error }
    }
}

/// The next item to run and the failures, shared by the threads of one `BlockingFanOut.run`.
private final class FanOutState: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var next = 0
    private var errors: [(index: Int, error: Error)] = []

    init(count: Int) { self.count = count }

    /// Runs items until none is left.
    func drain(_ body: (Int) throws -> Void) {
        while let i = take() {
            do {
                try body(i)
            } catch {
                lock.withLock { errors.append((i, error)) }
            }
        }
    }

    var firstError: Error? { lock.withLock { errors.min { $0.index < $1.index }?.error } }

    private func take() -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }
}
