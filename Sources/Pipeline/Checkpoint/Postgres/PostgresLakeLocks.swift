import Foundation

/// Lake-wide named locks in PostgreSQL: session-level advisory locks (`pg_advisory_lock(namespace, hashtext(name))`,
/// or the `_shared` variant) on a connection of their own, held while `body` runs. The server releases them when
/// the session ends, so a holder that dies (SIGKILL, a lost host) never blocks the lake; a holder that stalls
/// (SIGSTOP, a paused VM) keeps its session and so its lock, and nothing takes over from it early.
///
/// Used by the day-two commands on an `s3://` lake with a PostgreSQL store: `weir compact` holds `_compaction`
/// exclusively, so two compactions on any hosts never merge the same inputs. Names are hashed to 32 bits: two
/// names that collide only exclude each other more than needed.
public struct PostgresLakeLocks: SharedLocks {
    /// The advisory-lock namespace of lake locks ("WEIL"), apart from the store's own (`PostgresSchema.Lock`).
    static let namespace: Int32 = 0x5745_494C
    public let location: PostgresLocation

    public init(location: PostgresLocation) {
        self.location = location
    }

    /// - Throws: `StoreError` naming the redacted URL when the server cannot be reached or refuses the lock;
    ///   `body`'s errors.
    public func withLock<T>(_ name: String, exclusive: Bool, _ body: () throws -> T) throws -> T {
        let conn: PGConnection
        do {
            conn = try PGConnection(conninfo: location.url, defaults: PostgresCheckpointStore.connectionDefaults
                                    .filter { $0.0 != "application_name" } + [("application_name", "weir-lock")])
            try conn.query("SELECT \(exclusive ? "pg_advisory_lock" : "pg_advisory_lock_shared")($1::integer, hashtext($2))",
                           [String(Self.namespace), name])
        } catch let error as PGError {
            throw StoreError(message: "cannot take the lock \(name) in PostgreSQL at \(location.redacted): \(PostgresLocation.redact(error.message))",
                             isRetriable: error.connectionLost, fix: "check that the server runs and that this host reaches it")
        }
        // Closing the connection (when `conn` goes) would release the lock as well; unlocking says so at once.
        defer {
            _ = try? conn.query("SELECT \(exclusive ? "pg_advisory_unlock" : "pg_advisory_unlock_shared")($1::integer, hashtext($2))",
                                [String(Self.namespace), name])
        }
        return try withExtendedLifetime(conn) { try body() }
    }
}
