import CSQLite
import Foundation

/// SQLite's busy handling for one connection, observable: it waits for another connection's lock up to
/// `timeoutMs` (like `sqlite3_busy_timeout`, sleeping 1 ms growing to 50 ms between tries) and records since when
/// it has been waiting, so a health probe can tell a store that does not answer from one that is merely working.
///
/// Ownership: the connection holds this object; the handler's context pointer is unretained and valid while the
/// connection is open (`SQLiteDatabase` closes the connection before releasing it).
final class SQLiteBusyWait: @unchecked Sendable {
    let timeoutMs: Int32
    private let lock = NSLock()
    private var since: ContinuousClock.Instant?
    /// The handler's last call: SQLite calls it at least every 50 ms while the wait goes on, and never again
    /// once it got the lock, so a wait whose last call is older than `stillWaiting` is over.
    private var last: ContinuousClock.Instant?
    private static let stillWaiting = Duration.milliseconds(250)

    init(timeoutMs: Int32) { self.timeoutMs = timeoutMs }

    /// Installs the handler on `db`.
    func install(on db: OpaquePointer) {
        sqlite3_busy_handler(db, { context, count in
            guard let context else { return 0 }
            return Unmanaged<SQLiteBusyWait>.fromOpaque(context).takeUnretainedValue().shouldRetry(count: count) ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called by SQLite with the number of earlier calls for the same lock.
    private func shouldRetry(count: Int32) -> Bool {
        let now = ContinuousClock.now
        let start = lock.withLock { () -> ContinuousClock.Instant in
            if count == 0 || since == nil { since = now }
            last = now
            return since!
        }
        guard now - start < .milliseconds(Int64(timeoutMs)) else {
            lock.withLock { since = nil; last = nil }
            return false
        }
        usleep(useconds_t(min(50, 1 << min(Int(count), 6)) * 1000))
        return true
    }

    /// The operation that may have waited is over (it got the lock or gave up).
    func reset() { lock.withLock { since = nil; last = nil } }

    /// How long the connection has been waiting for another connection's lock; nil when it is not waiting.
    var waiting: Duration? {
        lock.withLock {
            let now = ContinuousClock.now
            guard let since, let last, now - last < Self.stillWaiting else { return nil }
            return now - since
        }
    }
}
