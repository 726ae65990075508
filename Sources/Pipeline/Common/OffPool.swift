import Dispatch

/// Runs blocking work (fsync, SQLite transactions) on a dispatch queue instead of a thread of Swift's cooperative
/// pool, which has one thread per core: a commit that blocked a pool thread for half a second left the run loop
/// alone on the other, and the next poll could not even start until the loop awaited it.
enum OffPool {
    /// Runs `body` on `queue` and returns its result (or rethrows its error) to the awaiting task.
    static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
