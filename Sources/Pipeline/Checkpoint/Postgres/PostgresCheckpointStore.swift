import Foundation
import Logging

/// A checkpoint store in PostgreSQL, shared by every `weir run` of a lake on any number of hosts
/// (`checkpoint.url: postgres://…`). Same contract as `SQLiteCheckpointStore`: each commit is one transaction
/// (offsets compare-and-set, dedup keys, file manifest, DLQ marks, totals, table pointers). See docs/POSTGRES.md.
///
/// Connections come from a small pool (`poolSize`, default 4: the commit, the dedup lookups, pruning and a
/// spare); `/readyz` probes on a connection of its own. An operation that loses its connection (the server
/// restarted, the network dropped) reconnects with exponential backoff (`ReconnectBackoff`) and runs again, for
/// up to `backoff.giveUpAfter`; a commit whose `COMMIT` may or may not have reached the server is recognised on
/// reconnect by its token in `commits`, so it is never applied twice nor lost.
public final class PostgresCheckpointStore: CheckpointStore, @unchecked Sendable {
    public let location: PostgresLocation
    /// This database's own id (`store_id` in `store_meta`, a random UUID written once, by whichever instance opens
    /// the store first): what a lake records of the store that serves it, whatever host name reaches it.
    public private(set) var storeID = ""
    let pool: PGConnectionPool
    let backoff: ReconnectBackoff
    let logger: Logger?
    /// Day partitions of `dedup_keys` known to exist (cached; created on demand under the schema lock).
    let partitionDays = Guarded<Set<Int>>([])
    /// This instance's lookups and commits by key generation: lets a commit skip the other days' partitions.
    let ledger = Guarded(KeyLookupLedger())
    private let probeLock = NSLock()
    private var probeConnection: PGConnection?
    private let sizeBytes = Guarded<Int64>(0)
    /// Set while an operation waits for the store to come back; cleared by the first success after.
    private let outage = Guarded<ContinuousClock.Instant?>(nil)
    private let conninfo: String
    /// Tests: runs after a commit's transaction, inside its retry loop (a thrown lost connection stands for a reply
    /// that never arrived).
    let afterCommit = Guarded<(@Sendable () throws -> Void)?>(nil)

    /// Libpq defaults that a URL may override: a bounded connect, keepalives that notice a dead peer, a name in
    /// `pg_stat_activity`, and a server-side limit on a transaction whose client went silent. Every commit takes
    /// the dedup lock; a host that vanishes inside a commit (power lost, network cut) would leave its transaction
    /// open, holding that lock, until the server's TCP keepalive noticed (two hours by default), and every other
    /// instance's commit would wait as long. With `idle_in_transaction_session_timeout` the server ends such a
    /// session after 15 s; a live client whose session was ended only reconnects and finds its commit by token.
    static let connectionDefaults = [("connect_timeout", "5"), ("application_name", "weir"), ("keepalives_idle", "10"),
                                     ("keepalives_interval", "5"), ("keepalives_count", "3"),
                                     ("options", "-c idle_in_transaction_session_timeout=15s")]

    /// A URL that sets libpq's `options` itself (e.g. `-csearch_path=…`) replaces the default that carries
    /// `idle_in_transaction_session_timeout`: a session where that limit is still off gets it set here, so the
    /// guard against a vanished client holding the dedup lock never depends on the URL. A value the URL or the
    /// server's configuration sets (anything but 0) is kept.
    static func limitIdleTransactions(_ conn: PGConnection) throws {
        guard try conn.query("SELECT current_setting('idle_in_transaction_session_timeout')").scalar == "0" else { return }
        try conn.query("SET idle_in_transaction_session_timeout = '15s'")
    }

    /// Connects, migrates the schema and creates the current day's key partitions.
    /// - Parameters:
    ///   - url: `postgres://user@host:port/db[?sslmode=…]`; password, TLS and host may come from `PG*` and `.pgpass`.
    ///   - poolSize: the most connections the store opens at once, besides the probe's (default 4).
    ///   - backoff: how operations wait for a lost server; the first connection here gives up after `startupTimeout`.
    ///   - startupTimeout: how long opening keeps trying an unreachable server (default 10 s). Authentication and
    ///     URL errors fail at once.
    /// - Throws: `StoreError` naming the redacted URL, the cause and the fix.
    public init(url: String, poolSize: Int = 4, backoff: ReconnectBackoff = ReconnectBackoff(),
                startupTimeout: Duration = .seconds(10), logger: Logger? = nil) throws {
        location = try PostgresLocation(url: url)
        conninfo = url
        self.backoff = backoff
        self.logger = logger
        pool = PGConnectionPool(capacity: poolSize) { [url] in
            let conn = try PGConnection(conninfo: url, defaults: PostgresCheckpointStore.connectionDefaults)
            try PostgresCheckpointStore.limitIdleTransactions(conn)
            return conn
        }
        var startup = backoff
        startup.giveUpAfter = startupTimeout
        storeID = try withStore("open the store", backoff: startup) { conn in
            try PostgresSchema.migrate(conn)
            try conn.query("INSERT INTO store_meta(name, value) VALUES ('store_id', gen_random_uuid()::text) ON CONFLICT (name) DO NOTHING")
            guard let id = try conn.query("SELECT value FROM store_meta WHERE name = 'store_id'").scalar else {
                throw PGError(message: "store_meta has no store_id after it was written", connectionLost: false)
            }
            try ClockSkew.check(hostSeconds: Int64(Date().timeIntervalSince1970), on: conn, store: location.redacted, behindToo: true)
            let today = DedupKeyPartitions.day(of: Int64(Date().timeIntervalSince1970))
            try ensurePartitions(Array(today...(today + DedupKeyPartitions.daysAhead)), on: conn)
            return id
        }
    }

    /// Runs `body` on a pooled connection. A lost connection (or a serialization failure, a deadlock, or a lock
    /// timeout while expiry detaches a partition) runs it
    /// again on a new one after a backoff wait, until `backoff.giveUpAfter`; `body` must therefore be safe to
    /// repeat (a transaction that rolled back, or a read).
    /// - Throws: `StoreError` (retriable when the server stayed unreachable), or `body`'s own non-PG errors.
    @discardableResult
    func withStore<T>(_ what: String, backoff: ReconnectBackoff? = nil, _ body: (PGConnection) throws -> T) throws -> T {
        let backoff = backoff ?? self.backoff
        var attempt = 0
        var firstFailure: ContinuousClock.Instant?
        while true {
            do {
                let value = try pool.withConnection(body)
                if outage.withLock({ let was = $0; $0 = nil; return was }) != nil {
                    logger?.notice("checkpoint store reachable again", metadata: ["store": "\(location.redacted)"])
                }
                return value
            } catch let error as PGError {
                let transient = (error.connectionLost && !error.isAuthentication) || ["40001", "40P01", "55P03"].contains(error.sqlState ?? "")
                guard transient else { throw storeError(error, while: what) }
                attempt += 1
                let since = firstFailure ?? .now
                firstFailure = since
                if error.connectionLost, outage.withLock({ let first = $0 == nil; if first { $0 = since }; return first }) {
                    logger?.warning("checkpoint store unreachable; retrying with backoff", metadata: [
                        "store": "\(location.redacted)", "error": "\(PostgresLocation.redact(error.message))"])
                }
                guard let wait = backoff.delay(afterAttempt: attempt, elapsed: .now - since) else {
                    throw storeError(error, while: what, gaveUpAfter: .now - since)
                }
                pool.drain()
                Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            }
        }
    }

    private func storeError(_ error: PGError, while what: String, gaveUpAfter: Duration? = nil) -> StoreError {
        let cause = PostgresLocation.redact(error.message)
        if error.isAuthentication {
            return StoreError(message: "PostgreSQL at \(location.redacted) refused the login: \(cause)", isRetriable: false,
                              fix: "check the user and password (in the URL, PGPASSWORD or ~/.pgpass) and pg_hba.conf")
        }
        if error.isTLSMismatch {
            return StoreError(message: "PostgreSQL at \(location.redacted) cannot give the TLS the URL asks for: \(cause)",
                              isRetriable: false,
                              fix: "enable TLS on the server, give its CA certificate (sslrootcert= in the URL or ~/.postgresql/root.crt), "
                                + "or choose another sslmode in the URL (require, prefer, disable)")
        }
        if let gaveUpAfter {
            return StoreError(message: "cannot \(what): PostgreSQL at \(location.redacted) unreachable for \(gaveUpAfter.components.seconds) s: \(cause)",
                              isRetriable: true, fix: "check that the server runs and that this host reaches it (host, port, firewall, sslmode)")
        }
        let fix: String? = if error.sqlState == "3F000" {
            // SQLSTATE invalid_schema_name: the URL's search_path names no schema that exists.
            "create the schema the URL's search_path names (CREATE SCHEMA <name>, owned by the URL's user) or drop search_path from its options"
        } else if error.message.contains("FATAL:") || error.message.contains("invalid ") {
            "check the URL's user, database and options, and the server's pg_hba.conf"
        } else { nil }
        return StoreError(message: "cannot \(what) in PostgreSQL at \(location.redacted): \(PostgresLocation.redact(error.description))",
                          isRetriable: false, fix: fix)
    }

    /// Creates missing key partitions among `days` (the cache avoids asking the catalog on every commit).
    func ensurePartitions(_ days: [Int], on conn: PGConnection) throws {
        guard !Set(days).isSubset(of: partitionDays.withLock({ $0 })) else { return }
        try DedupKeyPartitions.create(days, on: conn)
        let attached = try DedupKeyPartitions.existing(conn).attached
        partitionDays.withLock { $0 = attached }
    }

    public func storedOffsets(_ partitions: [SourcePartition]) throws -> [SourcePartition: Int64] {
        try storedPositions(partitions).mapValues(\.next)
    }

    public func storedPositions(_ partitions: [SourcePartition]) throws -> [SourcePartition: StoredPosition] {
        guard !partitions.isEmpty else { return [:] }
        let rows = try withStore("read the offsets") { conn in
            try conn.query("""
                SELECT o.topic, o.partition, o.next_offset, o.last_timestamp_ms, o.last_value_hash
                FROM offsets o JOIN unnest($1::text[], $2::integer[]) AS p(topic, partition) USING (topic, partition)
                """, [PGArrayLiteral.text(partitions.map(\.topic)), PGArrayLiteral.bare(partitions.map(\.partition))]).rows
        }
        var out: [SourcePartition: StoredPosition] = [:]
        for r in rows {
            let fingerprint = r[4].flatMap(Int64.init).map {
                RecordFingerprint(timestampMs: r[3].flatMap(Int64.init), valueHash: UInt64(bitPattern: $0))
            }
            out[SourcePartition(topic: r[0]!, partition: Int32(r[1]!)!)] = StoredPosition(next: Int64(r[2]!)!, fingerprint: fingerprint)
        }
        return out
    }

    /// Every lookup is a round trip to the server: one per small batch of records, not one per slice (large
    /// batches are looked up per slice, concurrently, each on a pooled connection of its own).
    public var prefersOneLookupPerBatch: Bool { true }

    /// Lookups are numbered as they start (`KeyLookupLedger`); a commit names those that found its keys absent.
    public var lookupsStarted: Int64 { ledger.withLock { $0.started } }

    /// One statement per call: the keys as one binary array, and the key generation in the same snapshot (the
    /// `KeyLookupLedger` records it under the lookup's number, so the commit of these keys can skip the other
    /// days' partitions).
    public func seenKeys(_ keys: [DedupKey], notBefore: Int64) throws -> Set<DedupKey> {
        guard !keys.isEmpty else { return [] }
        let number = ledger.withLock { $0.startLookup() }
        let params: [PGParameter] = [Self.keyParameter(sorted: Self.sortedUnique(keys)), .text(String(notBefore)),
                                     .text(String(Self.firstDay(notBefore: notBefore))), .text(Self.generationName)]
        let rows = try withStore("look up dedup keys") { conn in
            try conn.query(prepared: "weir_seen_keys", Self.lookupSQL, params).rows
        }
        var seen = Set<DedupKey>(), generation: Int64 = 0
        for row in rows {
            if let key = row[0].flatMap(PGArrayLiteral.uuidHalves) {
                seen.insert(DedupKey(high: key.high, low: key.low))
            } else if let value = row[1].flatMap(Int64.init) {
                generation = value
            }
        }
        ledger.withLock { $0.recordLookup(number, generation: generation, notBefore: notBefore) }
        return seen
    }

    /// The lookup of `seenKeys`, prepared once per connection (parsed and planned once, not on every poll).
    static let lookupSQL = """
        SELECT key::text, NULL::text FROM dedup_keys
        WHERE key = ANY(\(keysParam)) AND seen_at >= $2::bigint AND day >= $3::integer AND day <= \(DedupKeyPartitions.lastDaySQL)
        UNION ALL SELECT NULL, value FROM store_meta WHERE name = $4
        """

    /// The lowest day partition that can hold a key seen at or after `notBefore`.
    static func firstDay(notBefore: Int64) -> Int {
        DedupKeyPartitions.day(of: max(notBefore, Int64(Int32.min) * DedupKeyPartitions.secondsPerDay))
    }

    static func keyArray(_ keys: [DedupKey]) -> String {
        PGArrayLiteral.bare(keys.map { PGArrayLiteral.uuidHex(high: $0.high, low: $0.low) })
    }

    /// Whether the store answers now: a `SELECT` on the probe's own connection (reconnecting if needed, bounded by
    /// a 2 s connect timeout and a 2 s statement timeout). Also refreshes the size `databaseBytes()` reports.
    /// Blocks: call it off the cooperative pool and off any HTTP event loop.
    public func answers() -> Bool {
        probeLock.lock()
        defer { probeLock.unlock() }
        do {
            if probeConnection == nil || probeConnection?.isOK != true {
                probeConnection = try PGConnection(conninfo: conninfo, defaults: [("connect_timeout", "2"), ("application_name", "weir-probe")])
                try probeConnection!.query("SET statement_timeout = '2s'")
            }
            let size = try probeConnection!.query("SELECT pg_database_size(current_database())").scalar.flatMap(Int64.init) ?? 0
            sizeBytes.withLock { $0 = size }
            return true
        } catch {
            probeConnection = nil
            return false
        }
    }

    /// The database's size on disk in bytes, as of the last `answers()` (cheap: never queries).
    public func databaseBytes() -> Int64 { sizeBytes.withLock { $0 } }

    public func checkpointWAL() {}
}
