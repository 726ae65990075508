import Foundation

/// Shared/exclusive locks by name within one process (`pthread_rwlock`), created on first use.
final class NamedReadWriteLocks: @unchecked Sendable {
    private let guardLock = NSLock()
    private var locks: [String: UnsafeMutablePointer<pthread_rwlock_t>] = [:]

    deinit {
        for lock in locks.values {
            pthread_rwlock_destroy(lock)
            lock.deallocate()
        }
    }

    /// Runs `body` holding the lock `name`, shared or exclusive, waiting as long as needed.
    func with<T>(_ name: String, exclusive: Bool, _ body: () throws -> T) rethrows -> T {
        let lock = guardLock.withLock { () -> UnsafeMutablePointer<pthread_rwlock_t> in
            if let lock = locks[name] { return lock }
            let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
            pthread_rwlock_init(lock, nil)
            locks[name] = lock
            return lock
        }
        if exclusive { pthread_rwlock_wrlock(lock) } else { pthread_rwlock_rdlock(lock) }
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
