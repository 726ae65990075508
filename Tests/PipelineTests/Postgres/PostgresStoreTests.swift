import Foundation
import PostgresTestSupport
import Testing
@testable import Pipeline

/// What only the PostgreSQL store does: day partitions of keys expired whole, migrations from several instances
/// at once, reconnecting after the server restarted, a commit whose connection died mid-transaction, `answers()`.
@Suite struct PostgresStoreTests {
    static let day: Int64 = 86_400

    @Test func expiryDropsWholeDayPartitionsAndNothingElse() throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("prune")
        let database = String(url.split(separator: "/").last!)
        let s = try PostgresCheckpointStore(url: url)
        _ = try s.commit(commit(keys: [key(1), key(2)], at: 10 * Self.day + 5))
        _ = try s.commit(commit(keys: [key(3)], at: 11 * Self.day + 5))
        _ = try s.commit(commit(keys: [key(4)], at: 12 * Self.day + 5))
        #expect(try server.psql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'dedup_keys'::regclass", database: database) != "0")
        #expect(try server.psql("SELECT to_regclass('dedup_keys_19700111') IS NOT NULL", database: database) == "t")
        // Day 11 ends at 12 days: a cut-off inside day 12 expires days 10 and 11 whole, and keeps day 12.
        #expect(try s.pruneKeys(olderThan: 12 * Self.day + 1, limit: 1) == 3)
        #expect(try server.psql("SELECT to_regclass('dedup_keys_19700111') IS NULL AND to_regclass('dedup_keys_19700112') IS NULL", database: database) == "t")
        #expect(try s.seenKeys([key(1), key(2), key(3), key(4)], notBefore: 0) == [key(4)])
        #expect(try s.pruneKeys(olderThan: 12 * Self.day + 1, limit: 1) == 0)
        // A key of a dropped day can be committed again, on its own day.
        _ = try s.commit(commit(keys: [key(1)], at: 13 * Self.day))
        #expect(try s.stats().keyCount == 2)
    }

    /// Expiry waits for a long reader of the keys without making commits wait: `DETACH … CONCURRENTLY`.
    @Test func expiryDoesNotBlockCommits() async throws {
        let url = try PostgresServer.shared.makeDatabase("prune_block")
        let s = try PostgresCheckpointStore(url: url)
        let p = SourcePartition(topic: "t", partition: 0)
        _ = try s.commit(commit(keys: [key(1)], at: 20 * Self.day))
        // The commits below go to day 30, whose partition exists by then (made ahead, as `weir run` does).
        _ = try s.commit(commit([p: OffsetAdvance(expected: nil, next: 1)], keys: [key(100)], at: 30 * Self.day))
        let reader = try PGConnection(conninfo: url)
        try reader.query("BEGIN")
        try reader.query("SELECT count(*) FROM dedup_keys")
        let pruning = Task { try await onThread { try s.pruneKeys(olderThan: 25 * Self.day, limit: 10) } }
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        for n in 1...5 {
            _ = try s.commit(commit([p: OffsetAdvance(expected: Int64(n), next: Int64(n + 1))], keys: [key(100 + n)], at: 30 * Self.day))
        }
        #expect(ContinuousClock.now - started < .seconds(3), "commits waited for the expiry: \(ContinuousClock.now - started)")
        try reader.query("COMMIT")
        let removed = try await pruning.value
        // The detach may have timed out waiting for the reader (lock_timeout); then the next prune finishes it.
        let total = removed + (try s.pruneKeys(olderThan: 25 * Self.day, limit: 10))
        #expect(total == 1)
        #expect(try s.storedOffsets([p]) == [p: 6])
    }

    @Test func instancesStartingAtOnceMigrateOnce() async throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("migrate")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 { group.addTask { _ = try await onThread { try PostgresCheckpointStore(url: url) } } }
            try await group.waitForAll()
        }
        let database = String(url.split(separator: "/").last!)
        // Each migration applied exactly once, however many instances raced.
        let versions = PostgresSchema.migrations.count
        #expect(try server.psql("SELECT count(*), max(version) FROM weir_schema_version", database: database) == "\(versions)|\(PostgresSchema.version)")
    }

    /// The server restarts: the pooled connections are dead; the next operations reconnect with backoff and
    /// succeed, and `answers()` is false while the server is down.
    @Test func theStoreReconnectsAfterTheServerRestarted() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        var backoff = ReconnectBackoff()
        backoff.giveUpAfter = .seconds(120)
        let s = try PostgresCheckpointStore(url: server.url(), backoff: backoff)
        let p = SourcePartition(topic: "t", partition: 0)
        _ = try s.commit(commit([p: OffsetAdvance(expected: nil, next: 1)], keys: [key(1)], at: 1_000))
        #expect(s.answers())
        server.stopServer()
        #expect(!s.answers())
        let next = commit([p: OffsetAdvance(expected: 1, next: 2)], keys: [key(2)], at: 1_001)
        let committing = Task { try await onThread { try s.commit(next) } }
        try await Task.sleep(for: .seconds(2))
        try server.start()
        _ = try await committing.value
        #expect(s.answers())
        #expect(try s.storedOffsets([p]) == [p: 2])
        #expect(try s.seenKeys([key(1), key(2)], notBefore: 0) == [key(1), key(2)])
    }

    /// The connection of a commit dies inside its transaction (its backend is terminated while it waits for the
    /// dedup lock): the store reconnects, finds no commit with its token, and commits once.
    @Test func aCommitWhoseConnectionDiesIsAppliedExactlyOnce() async throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("lost")
        let database = String(url.split(separator: "/").last!)
        let s = try PostgresCheckpointStore(url: url)
        let p = SourcePartition(topic: "t", partition: 0)
        let holder = try PGConnection(conninfo: url)
        try holder.query("BEGIN")
        try holder.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.dedupKeys.sql))")
        var c = commit([p: OffsetAdvance(expected: nil, next: 10)], keys: [key(1), key(2)], at: 5_000)
        c.totals = ["total": 10]
        let committing = Task { [c] in try await onThread { try s.commit(c) } }
        var waiting = ""
        let deadline = ContinuousClock.now + .seconds(300)  // a safety net for a starved machine
        while waiting.isEmpty && ContinuousClock.now < deadline {
            waiting = try server.psql("""
                SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND application_name = 'weir'
                """, database: database)
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(!waiting.isEmpty, "the commit never waited for the lock")
        try server.psql("SELECT pg_terminate_backend(\(waiting))", database: database)
        try holder.query("COMMIT")
        let id = try await committing.value
        #expect(try s.storedOffsets([p]) == [p: 10])
        #expect(try s.totals() == ["total": 10], "applied once")
        #expect(try server.psql("SELECT count(*) FROM commits", database: database) == "1")
        #expect(try server.psql("SELECT id FROM commits", database: database) == String(id))
    }

    /// A host that vanishes inside a commit (power lost, network cut) leaves its transaction open on the server,
    /// holding the dedup lock that every commit takes. The server ends a session idle in its transaction for 15 s
    /// (`idle_in_transaction_session_timeout`, set on every store connection), so another instance's commit goes
    /// on after that instead of waiting for the server's TCP keepalive (two hours by default).
    @Test(.timeLimit(.minutes(5))) func aTransactionLeftOpenByAVanishedHostDoesNotStopOtherCommits() async throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("vanished")
        let s = try PostgresCheckpointStore(url: url)
        // The vanished host: a connection like the store's, inside a commit, holding the dedup lock, silent.
        let vanished = try PGConnection(conninfo: url, defaults: PostgresCheckpointStore.connectionDefaults)
        try vanished.query("BEGIN")
        try vanished.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.dedupKeys.sql))")
        let started = ContinuousClock.now
        let p = SourcePartition(topic: "t", partition: 0)
        let c = commit([p: OffsetAdvance(expected: nil, next: 10)], keys: [key(1)], at: 5_000)
        let outcome = Guarded<Result<Int64, Error>?>(nil)
        Thread {
            let result = Result { try s.commit(c) }
            outcome.withLock { $0 = result }
        }.start()
        var finished: Result<Int64, Error>?
        let deadline = started + .seconds(120)  // far beyond the 15 s; without the limit the commit waits for hours
        while finished == nil && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            finished = outcome.withLock { $0 }
        }
        let waited = ContinuousClock.now - started
        let result = try #require(finished, "the commit still waits for the vanished host's lock after \(waited)")
        _ = try result.get()
        #expect(waited >= .seconds(10), "the commit did not wait for the lock (\(waited)): the test proves nothing")
        #expect(try s.storedOffsets([p]) == [p: 10])
        #expect(throws: (any Error).self, "the server kept the vanished host's session") { try vanished.query("SELECT 1") }
    }

    /// A URL that sets libpq's `options` itself (a per-lake schema) replaces the default carrying the limit; the
    /// store sets it after connecting, and keeps a limit the URL chose.
    @Test func aURLWithItsOwnOptionsKeepsTheIdleTransactionLimit() throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("own_options")
        let database = String(url.split(separator: "/").last!)
        try server.psql("CREATE SCHEMA lake_a", database: database)
        let withSchema = url + "?options=-csearch_path%3Dlake_a"
        let s = try PostgresCheckpointStore(url: withSchema)
        let settings = try s.withStore("settings") { conn in
            try conn.query("SELECT current_setting('idle_in_transaction_session_timeout'), current_schema()").rows.first ?? []
        }
        #expect(settings == ["15s", "lake_a"], "\(settings)")
        #expect(try server.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'lake_a' AND tablename = 'offsets'",
                                database: database) == "1", "the store's tables are in the URL's schema")
        let chosen = try PostgresCheckpointStore(url: url + "?options=-csearch_path%3Dlake_a%20-cidle_in_transaction_session_timeout%3D40s")
        let kept = try chosen.withStore("settings") { conn in
            try conn.query("SELECT current_setting('idle_in_transaction_session_timeout')").scalar
        }
        #expect(kept == "40s")
        // A schema the search_path names but nobody created: the fix says to create it.
        do {
            _ = try PostgresCheckpointStore(url: url + "?options=-csearch_path%3Dlake_missing")
            Issue.record("a store opened in a schema that does not exist")
        } catch let error as StoreError {
            #expect(error.fix?.contains("create the schema the URL's search_path names") == true, "\(error)")
        }
    }

    @Test func aWrongPasswordAndAnUnreachableServerAreClearErrorsWithoutThePassword() throws {
        let server = PostgresServer.shared
        do {
            _ = try PostgresCheckpointStore(url: server.url(password: "not-the-secret-pw"))
            Issue.record("opened with a wrong password")
        } catch let error as StoreError {
            #expect(!error.isRetriable)
            #expect(error.description.contains("refused the login") && error.description.contains("127.0.0.1:\(server.port)"), "\(error)")
            #expect(!error.description.contains("not-the-secret-pw"), "\(error)")
        }
        let port = PostgresServer.freePort()
        let started = ContinuousClock.now
        do {
            _ = try PostgresCheckpointStore(url: "postgres://weir:hunter2secret@127.0.0.1:\(port)/weir", startupTimeout: .seconds(1))
            Issue.record("opened an unreachable server")
        } catch let error as StoreError {
            #expect(error.description.contains("unreachable") && !error.description.contains("hunter2secret"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    /// TLS the server cannot give (the test server has none) fails at once with the TLS fix, instead of being
    /// retried for the whole startup timeout as an unreachable server.
    @Test func aServerWithoutTheTLSTheURLDemandsIsAClearPermanentError() throws {
        let server = PostgresServer.shared
        let started = ContinuousClock.now
        do {
            _ = try PostgresCheckpointStore(url: server.url() + "?sslmode=require", startupTimeout: .seconds(30))
            Issue.record("opened with sslmode=require on a server without TLS")
        } catch let error as StoreError {
            #expect(!error.isRetriable)
            #expect(error.description.contains("cannot give the TLS the URL asks for") && error.description.contains("sslmode"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(20), "retried as if unreachable")
    }
}

/// The commit reached the server but its reply did not reach Weir (the connection dropped right after `COMMIT`):
/// the retry finds the commit's token and returns its id instead of running it again, which would fail the
/// offsets compare-and-set and lose the batch's acknowledgement, or apply its totals twice.
@Suite struct PostgresLostReplyTests {
    @Test func aCommitWhoseReplyWasLostIsRecognisedByItsToken() throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("reply")
        let database = String(url.split(separator: "/").last!)
        let s = try PostgresCheckpointStore(url: url)
        let p = SourcePartition(topic: "t", partition: 0)
        let failures = LockedBox(0)
        s.afterCommit.withLock { $0 = {
            guard failures.value == 0 else { return }
            failures.value += 1
            throw PGError(message: "server closed the connection unexpectedly", connectionLost: true)
        } }
        var c = CheckpointCommit()
        c.offsets = [p: OffsetAdvance(expected: nil, next: 10)]
        c.dedupKeys = [key(1)]
        c.totals = ["total": 10]
        c.committedAt = 5_000
        let id = try s.commit(c)
        #expect(failures.value == 1)
        #expect(try s.storedOffsets([p]) == [p: 10])
        #expect(try s.totals() == ["total": 10])
        #expect(try server.psql("SELECT string_agg(id::text, ',') FROM commits", database: database) == String(id))
    }
}
