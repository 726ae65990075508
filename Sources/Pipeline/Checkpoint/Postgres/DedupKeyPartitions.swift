import Foundation

/// The day partitions of `dedup_keys`: one table per UTC day of the commit that stored the key
/// (`dedup_keys_YYYYMMDD`, holding `day` = unix seconds / 86,400), created ahead of need and expired whole.
///
/// A partition is created as a plain table and then attached (`ATTACH PARTITION` takes only a SHARE UPDATE
/// EXCLUSIVE lock on the parent, which commits and lookups do not conflict with). Expiry detaches a partition
/// with `DETACH PARTITION … CONCURRENTLY` (no lock that blocks commits) and drops it: no row is scanned or
/// deleted one by one.
enum DedupKeyPartitions {
    static let secondsPerDay: Int64 = 86_400
    /// Days created past the current one, so midnight never waits on DDL.
    static let daysAhead = 2
    /// How long expiry DDL waits for a lock before giving up until the next prune (commits never wait on it longer).
    static let lockTimeout = "5s"
    /// How far a host's clock may be from the server's, in seconds, either way (checked when the store opens). A
    /// commit stamps its keys with the host's clock and is refused when that stamp is further ahead of the
    /// server's (`ClockSkew`), so no key lies on a day after `lastDaySQL`.
    static let clockSkewLimit: Int64 = 3_600
    /// The last day partition that can hold a key, by the server's clock (`now()`, the statement's start), as a SQL
    /// expression. Lookups bound their days with it, so the partitions created ahead of need are pruned when the
    /// statement starts and never probed, key by key, while they are still empty (an index descent per key each).
    static let lastDaySQL = "((floor(extract(epoch FROM now()))::bigint + \(clockSkewLimit)) / \(secondsPerDay))::integer"

    /// The day number of unix second `seconds` (floor division: negative seconds fall on earlier days).
    static func day(of seconds: Int64) -> Int {
        Int(seconds >= 0 ? seconds / secondsPerDay : (seconds - secondsPerDay + 1) / secondsPerDay)
    }

    /// `dedup_keys_YYYYMMDD` for a day number.
    static func name(ofDay day: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(Int64(day) * secondsPerDay)))
        return String(format: "dedup_keys_%04d%02d%02d", c.year!, c.month!, c.day!)
    }

    /// The days whose every key is older than `olderThan` (the day ends at or before it), among `days`.
    static func expired(_ days: Set<Int>, olderThan: Int64) -> [Int] {
        days.filter { Int64($0 + 1) * secondsPerDay <= olderThan }.sorted()
    }

    /// The partitions attached now, by day; and those left half-detached by an interrupted expiry.
    static func existing(_ conn: PGConnection) throws -> (attached: Set<Int>, detaching: [String]) {
        let rows = try conn.query("""
            SELECT c.relname, i.inhdetachpending FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'dedup_keys'::regclass
            """).rows
        var attached = Set<Int>(), detaching: [String] = []
        for row in rows {
            guard let name = row[0] else { continue }
            if row[1] == "t" { detaching.append(name); continue }
            if let day = Self.day(ofName: name) { attached.insert(day) }
        }
        return (attached, detaching)
    }

    /// Creates the partitions of `days` that do not exist yet, under the schema lock (several instances may try).
    static func create(_ days: [Int], on conn: PGConnection) throws {
        try conn.transaction {
            try conn.query("SET LOCAL lock_timeout = '\(lockTimeout)'")
            try conn.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.schema.sql))")
            let have = try existing(conn).attached
            for day in days where !have.contains(day) {
                let name = name(ofDay: day)
                try conn.query("CREATE TABLE \(name)(day integer NOT NULL, key uuid NOT NULL, seen_at bigint NOT NULL)")
                try conn.query("ALTER TABLE dedup_keys ATTACH PARTITION \(name) FOR VALUES FROM (\(day)) TO (\(day + 1))")
            }
        }
    }

    /// Detaches and drops the partitions of `days`, and finishes any detach an earlier expiry left pending.
    /// Returns how many keys they held. Runs outside a transaction (`DETACH … CONCURRENTLY` requires it).
    static func drop(_ days: [Int], pending: [String], on conn: PGConnection) throws -> Int {
        try conn.query("SET lock_timeout = '\(lockTimeout)'")
        defer { _ = try? conn.query("RESET lock_timeout") }
        var removed = 0
        for name in pending {
            try conn.query("ALTER TABLE dedup_keys DETACH PARTITION \(name) FINALIZE")
            removed += try dropDetached(name, on: conn)
        }
        for day in days {
            let name = name(ofDay: day)
            try conn.query("ALTER TABLE dedup_keys DETACH PARTITION \(name) CONCURRENTLY")
            removed += try dropDetached(name, on: conn)
        }
        return removed
    }

    /// Counts the keys of a table no longer attached (nobody reads it), then drops it.
    private static func dropDetached(_ name: String, on conn: PGConnection) throws -> Int {
        let count = Int(try conn.query("SELECT count(*) FROM \(name)").scalar ?? "0") ?? 0
        try conn.query("DROP TABLE \(name)")
        return count
    }

    /// The day of a partition name `dedup_keys_YYYYMMDD`, nil for any other name.
    static func day(ofName name: String) -> Int? {
        guard name.hasPrefix("dedup_keys_"), name.count == 19, let digits = Int(name.suffix(8)) else { return nil }
        var c = DateComponents()
        c.year = digits / 10_000
        c.month = digits / 100 % 100
        c.day = digits % 100
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: c) else { return nil }
        return day(of: Int64(date.timeIntervalSince1970))
    }
}
