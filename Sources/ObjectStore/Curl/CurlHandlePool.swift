import Foundation

/// Easy handles waiting for their next transfer. Each transfer borrows one (a new one when all are busy) and
/// gives it back, so concurrent calls never share a handle and sequential calls reuse its connections.
final class CurlHandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [CurlHandle] = []
    /// Idle handles kept at most; more are freed on return.
    private let capacity: Int

    init(capacity: Int = 16) { self.capacity = capacity }

    func withHandle<R>(_ body: (CurlHandle) throws -> R) rethrows -> R {
        lock.lock()
        let handle = idle.popLast() ?? CurlHandle()
        lock.unlock()
        defer {
            lock.lock()
            if idle.count < capacity { idle.append(handle) }
            lock.unlock()
        }
        return try body(handle)
    }
}
