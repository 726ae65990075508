import Foundation

/// A small blocking pool of `PGConnection`s to one server: at most `capacity` open at once; a caller beyond that
/// waits for one to come back. A connection whose session was lost is closed instead of returned, so the next
/// caller connects afresh.
final class PGConnectionPool: @unchecked Sendable {
    let capacity: Int
    private let connect: () throws -> PGConnection
    private let condition = NSCondition()
    private var idle: [PGConnection] = []
    private var open = 0

    /// - Parameters:
    ///   - capacity: the most connections open at once (at least 1).
    ///   - connect: opens a new connection; its error is the caller's.
    init(capacity: Int, connect: @escaping () throws -> PGConnection) {
        self.capacity = max(1, capacity)
        self.connect = connect
    }

    /// Runs `body` with a connection of the pool, connecting one if none is idle and fewer than `capacity` are
    /// open, else waiting for one. The connection goes back to the pool unless it failed with a lost session or
    /// was left inside a transaction.
    /// - Throws: the connect error (`PGError`), or whatever `body` throws.
    func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let conn = try checkOut()
        do {
            let value = try body(conn)
            checkIn(conn, healthy: conn.isOK && !conn.inTransaction)
            return value
        } catch {
            let lost = (error as? PGError)?.connectionLost ?? false
            checkIn(conn, healthy: !lost && conn.isOK && !conn.inTransaction)
            throw error
        }
    }

    /// Closes every idle connection (those in use close when they come back unhealthy or at deinit).
    func drain() {
        condition.lock()
        open -= idle.count
        idle.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func checkOut() throws -> PGConnection {
        condition.lock()
        while idle.isEmpty && open >= capacity { condition.wait() }
        if let conn = idle.popLast() {
            condition.unlock()
            return conn
        }
        open += 1
        condition.unlock()
        do {
            return try connect()
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func checkIn(_ conn: PGConnection, healthy: Bool) {
        condition.lock()
        if healthy { idle.append(conn) } else { open -= 1 }
        condition.signal()
        condition.unlock()
    }
}
