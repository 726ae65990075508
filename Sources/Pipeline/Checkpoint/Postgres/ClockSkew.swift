import Foundation

/// This host's clock is further from the PostgreSQL server's than `DedupKeyPartitions.clockSkewLimit`. Ahead, its
/// commits would stamp dedup keys on a day the other hosts' lookups do not read yet; behind, its keys would expire
/// early for every other host (the TTL counts from the stamp). Either way duplicates could get through: the store
/// refuses to open (either direction) and to commit keys stamped too far ahead, until the clock is fixed.
public struct ClockSkew: Error, Sendable, CustomStringConvertible {
    /// Seconds by which this host's clock (or a commit's time stamp) is ahead of the server's; negative: behind.
    public let seconds: Int64
    /// The store, its URL redacted.
    public let store: String

    public var description: String {
        "checkpoint store: this host's clock is \(abs(seconds)) s \(seconds > 0 ? "ahead of" : "behind") PostgreSQL's at \(store) "
            + "(at most \(DedupKeyPartitions.clockSkewLimit) s are allowed): dedup keys are stamped with this host's clock, "
            + "looked up by the server's day and expired from the stamp, so duplicates could get through (fix: synchronize "
            + "this host's clock, e.g. with NTP: `timedatectl status`, `chronyc tracking`)"
    }

    /// Throws when `hostSeconds` (unix seconds by this host's clock) is more than the limit ahead of the server's
    /// `clock_timestamp()`, read on `conn`, or, with `behindToo`, more than the limit behind it.
    static func check(hostSeconds: Int64, on conn: PGConnection, store: String, behindToo: Bool = false) throws {
        guard let server = try conn.query("SELECT floor(extract(epoch FROM clock_timestamp()))::bigint").scalar.flatMap(Int64.init) else {
            throw PGError(message: "the server returned no time", connectionLost: false)
        }
        if let error = Self(hostSeconds: hostSeconds, serverSeconds: server, store: store, behindToo: behindToo) { throw error }
    }

    /// The error for a host time `hostSeconds` against the server's `serverSeconds`, nil within the limit (and
    /// for any lag behind unless `behindToo`: a commit retried after an outage keeps its older stamp).
    init?(hostSeconds: Int64, serverSeconds: Int64, store: String, behindToo: Bool = false) {
        let skew = hostSeconds - serverSeconds
        guard skew > DedupKeyPartitions.clockSkewLimit || (behindToo && -skew > DedupKeyPartitions.clockSkewLimit) else { return nil }
        seconds = skew
        self.store = store
    }
}
