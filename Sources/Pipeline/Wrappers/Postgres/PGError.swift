/// A failure reported by libpq or the PostgreSQL server.
public struct PGError: Error, Sendable, CustomStringConvertible {
    /// libpq's or the server's message, without the connection string (it never contains the password).
    public let message: String
    /// The five-character SQLSTATE the server sent (e.g. `23505`, `40P01`), nil for client-side failures.
    public let sqlState: String?
    /// True when the connection is gone (refused, reset, server shut down): the operation may succeed on a new
    /// connection, and whether a `COMMIT` in flight took effect is unknown.
    public let connectionLost: Bool

    public init(message: String, sqlState: String? = nil, connectionLost: Bool) {
        self.message = message
        self.sqlState = sqlState
        self.connectionLost = connectionLost
    }

    /// Whether a SQLSTATE means the session is unusable: class 08 (connection exception), 57P01–57P03 (the server
    /// is shutting down, crashed or starting up).
    static func isConnectionState(_ state: String?) -> Bool {
        guard let state else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }

    /// Whether TLS as the URL asks for it cannot work with this server (it has no TLS, or its certificate cannot be
    /// verified): permanent, unlike a TLS connection that broke.
    public var isTLSMismatch: Bool { Self.isTLSMismatch(message) }

    /// `isTLSMismatch` for libpq's message text.
    static func isTLSMismatch(_ message: String) -> Bool {
        message.contains("does not support SSL") || message.contains("certificate")
    }

    /// An authentication failure (wrong password, no `pg_hba.conf` entry): retrying does not help.
    public var isAuthentication: Bool {
        sqlState == "28P01" || sqlState == "28000"
            || message.contains("password authentication failed") || message.contains("no password supplied")
            || message.contains("pg_hba.conf")
    }

    public var description: String { message + (sqlState.map { " (SQLSTATE \($0))" } ?? "") }
}
