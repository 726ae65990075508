import Foundation

/// This host's clock is further ahead of the PostgreSQL server's than `DedupKeyPartitions.clockSkewLimit`: its
/// commits would stamp dedup keys on a day the other hosts' lookups do not read yet, and duplicates could get
/// through. The store refuses to open and to commit until the clock is fixed.
public struct ClockAhead: Error, Sendable, CustomStringConvertible {
    /// Seconds by which this host's clock (or a commit's time stamp) is ahead of the server's.
    public let seconds: Int64
    /// The store, its URL redacted.
    public let store: String

    public var description: String {
        "checkpoint store: this host's clock is \(seconds) s ahead of PostgreSQL's at \(store) (at most "
            + "\(DedupKeyPartitions.clockSkewLimit) s are allowed): dedup keys are stamped with this host's clock and looked "
            + "up by the server's day, so duplicates could get through (fix: synchronize this host's clock, e.g. with NTP: "
            + "`timedatectl status`, `chronyc tracking`)"
    }

    /// Throws when `hostSeconds` (unix seconds by this host's clock) is more than the limit ahead of the server's
    /// `clock_timestamp()`, read on `conn`.
    static func check(hostSeconds: Int64, on conn: PGConnection, store: String) throws {
        guard let server = try conn.query("SELECT floor(extract(epoch FROM clock_timestamp()))::bigint").scalar.flatMap(Int64.init) else {
            throw PGError(message: "the server returned no time", connectionLost: false)
        }
        if let error = Self(hostSeconds: hostSeconds, serverSeconds: server, store: store) { throw error }
    }

    /// The error for a host time `hostSeconds` against the server's `serverSeconds`, nil within the limit.
    init?(hostSeconds: Int64, serverSeconds: Int64, store: String) {
        guard hostSeconds - serverSeconds > DedupKeyPartitions.clockSkewLimit else { return nil }
        seconds = hostSeconds - serverSeconds
        self.store = store
    }
}
