import Foundation
import Kafka
import Pipeline
import PostgresTestSupport
import Testing
@testable import WeirCLI

/// `weir run` with `checkpoint.url` on PostgreSQL (issue 19): every valid unique event lands exactly once, also
/// when the server is down for 10 s mid-run (`/readyz` 503 meanwhile) and when two instances of one consumer
/// group share the store; a store that cannot be used is a startup error naming `checkpoint.url`, without the password.
@Suite(.serialized) struct PostgresRunTests {
    @Test(.timeLimit(.minutes(10)))
    func aRunOnPostgresLandsEveryEventOnce() async throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("run")
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "pgrun", partitions: 4, dlqPartitions: 1, events: 30_000, seed: 19)
        let lake = try RepoPaths.temporaryDirectory("pg-run")
        defer { RepoPaths.remove(lake) }
        let run = try PostgresRunSupport.run(cluster, topic: "pgrun", group: "pgrun", lake: lake, url: url,
                                             extra: ["--listen", "off", "--until-idle", "5"])
        let status = await run.wait(timeout: .seconds(400))
        #expect(status == 0, "\(run.output("weir run"))")
        #expect(!run.stderr.contains(server.password), "the password appears in the log")
        #expect(run.stderr.contains("postgres://weir:***@127.0.0.1:\(server.port)/"), "the store is named, redacted:\n\(run.output("weir run"))")
        #expect(!FileManager.default.fileExists(atPath: LakeLayout(root: lake).storePath), "no SQLite store beside a PostgreSQL one")

        let stats = try await LakeStats.of(lake)
        #expect(stats.unreadable.isEmpty)
        #expect(stats.rows == expected.validUnique && stats.distinct == expected.validUnique)
        #expect(stats.sum == expected.sumMonto)
        let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: "pgrun_dlq")
        #expect(dlq.count == expected.invalid && Set(dlq).count == dlq.count)
        let database = PostgresRunSupport.database(of: url)
        #expect(try server.psql("SELECT sum(next_offset) FROM offsets", database: database) == String(expected.lines))
        #expect(PostgresRunSupport.committedTotal(server, database: database) == expected.lines)
        #expect(try server.psql("SELECT count(*) FROM files WHERE state <> 'published'", database: database) == "0")

        let storeCommands = [["run", "--bootstrap-servers", "127.0.0.1:1", "--topic", "pgrun", "--listen", "off"],
                             ["checkpoint", "stats"], ["checkpoint", "rebuild", "--topic", "pgrun"]]
        /// Runs each command that opens the lake's store with `environment`; returns each one's exit status and stderr.
        func eachStoreCommand(_ environment: [String: String]) async throws -> [(command: [String], status: Int32, stderr: String)] {
            var results: [(command: [String], status: Int32, stderr: String)] = []
            for command in storeCommands {
                let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, command + ["--out-dir", lake],
                                                                     environment: environment, timeout: .seconds(120))
                results.append((command, status, stderr))
            }
            return results
        }

        // A host started without the URL (unset or misspelt) must not fall back to a SQLite store of its own, which
        // would read the topic again and land every event twice: the lake records its PostgreSQL store.
        for (command, status, stderr) in try await eachStoreCommand(["WEIR_CHECKPOINT_URI": url]) {
            #expect(status == 2, "\(command): exit \(status)\n\(stderr)")
            #expect(stderr.contains("weir: invalid configuration: checkpoint.url: is not set, but the lake")
                    && stderr.contains("postgres://weir:***@127.0.0.1:\(server.port)/")
                    && stderr.contains("set checkpoint.url (or WEIR_CHECKPOINT_URL)"), "\(command): \(stderr)")
            #expect(!FileManager.default.fileExists(atPath: LakeLayout(root: lake).storePath), "\(command) made a SQLite store")
        }

        // A host pointed at another database (a typo in the database name, a second server) must not become a
        // second store of the lake: it would resume from its own offsets. Every command that opens the store for
        // the lake is refused, naming both stores; only `checkpoint rebuild --replace-store` moves the lake.
        let other = try server.makeDatabase("run_other")
        for (command, status, stderr) in try await eachStoreCommand(["WEIR_CHECKPOINT_URL": other]) {
            #expect(status == 2, "\(command): exit \(status)\n\(stderr)")
            #expect(stderr.contains("weir: invalid configuration: checkpoint.url: points at postgres://weir:***@127.0.0.1:\(server.port)/\(PostgresRunSupport.database(of: other))")
                    && stderr.contains("but the lake \(lake) keeps its checkpoint in postgres://weir:***@127.0.0.1:\(server.port)/\(database)")
                    && stderr.contains("--replace-store"), "\(command): \(stderr)")
        }
        #expect(try server.psql("SELECT count(*) FROM offsets", database: PostgresRunSupport.database(of: other)) == "0",
                "a refused command wrote offsets into the other database")
        // Rebuilding into the lake's own store, which is not empty, is refused naming that database.
        let (full, _, fullError) = try await ChildProcess.run(RepoPaths.weir, ["checkpoint", "rebuild", "--topic", "pgrun", "--out-dir", lake],
                                                              environment: ["WEIR_CHECKPOINT_URL": url], timeout: .seconds(120))
        #expect(full == 1 && fullError.contains("the checkpoint store postgres://weir:***@127.0.0.1:\(server.port)/\(database) already holds")
                && fullError.contains("point checkpoint.url at an empty database"), "\(fullError)")
        // A mistyped lake path is not an empty lake.
        let (missing, _, missingError) = try await ChildProcess.run(RepoPaths.weir, ["checkpoint", "stats", "--out-dir", lake + "-typo"],
                                                                    environment: ["WEIR_CHECKPOINT_URL": url], timeout: .seconds(120))
        #expect(missing == 2 && missingError.contains("weir: invalid configuration: lake.out_dir: \(lake)-typo does not exist"), "\(missingError)")
    }

    /// PostgreSQL is stopped while the run is busy, for 10 s, then started again: `/readyz` answers 503 while it
    /// is down, the run waits (lookups and the commit in flight reconnect with backoff) and resumes; the lake
    /// holds every valid unique event exactly once.
    @Test(.timeLimit(.minutes(10)))
    func theRunResumesAfterPostgresWasDownForTenSeconds() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let url = try server.makeDatabase("outage")
        let database = PostgresRunSupport.database(of: url)
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("outage", partitions: 4)
        try cluster.createTopic("outage_dlq", partitions: 1)
        var generator = Pi2EventGenerator(seed: 23, invalidRatio: 0.10, duplicateRatio: 0.05)
        try await PostgresRunSupport.produce(cluster, topic: "outage", count: 20_000, generator: &generator)
        let lake = try RepoPaths.temporaryDirectory("pg-outage")
        defer { RepoPaths.remove(lake) }
        let run = try PostgresRunSupport.run(cluster, topic: "outage", group: "outage", lake: lake, url: url,
                                             extra: ["--listen", "127.0.0.1:0"])
        defer { if run.process.isRunning { run.kill() } }
        guard let base = await PostgresRunSupport.listenAddress(run) else {
            Issue.record("weir run did not listen:\n\(run.output("weir run"))")
            return
        }
        let started = await waitFor(.seconds(120)) { PostgresRunSupport.committedTotal(server, database: database) > 0 }
        #expect(started, "nothing committed:\n\(run.output("weir run"))")

        server.stopServer()
        try await PostgresRunSupport.produce(cluster, topic: "outage", count: 10_000, generator: &generator)
        // The 10 s of asking start once the records are in (producing them can take seconds on a busy machine).
        let askedFrom = ContinuousClock.now
        var answers: [Int] = []
        while ContinuousClock.now - askedFrom < .seconds(10) {
            answers.append((try? await HTTP.get(base + "/readyz").status) ?? 0)
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(answers.contains(503), "never 503 while PostgreSQL was down: \(answers)")
        // The probe checks every second and its answer may be up to 3 s old: from 5 s on, every answer is 503.
        #expect(answers.suffix(10).allSatisfy { $0 == 503 }, "ready while PostgreSQL was down: \(answers)")
        #expect(run.process.isRunning, "the run exited while PostgreSQL was down:\n\(run.output("weir run"))")
        try server.start()

        let expected = generator.expected
        let caughtUp = await waitFor(.seconds(300)) { PostgresRunSupport.committedTotal(server, database: database) >= expected.lines }
        #expect(caughtUp, "not caught up: \(PostgresRunSupport.committedTotal(server, database: database)) of \(expected.lines)\n\(run.output("weir run"))\n\(server.serverLog().suffix(2000))")
        var ready = 0
        let back = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < back {
            ready = (try? await HTTP.get(base + "/readyz").status) ?? 0
            if ready == 200 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(ready == 200, "not ready after PostgreSQL came back")
        run.kill(SIGTERM)
        #expect(await run.wait(timeout: .seconds(60)) == 0, "\(run.output("weir run"))")
        #expect(run.stderr.contains("checkpoint store unreachable") && run.stderr.contains("reachable again"), "\(run.output("weir run"))")
        #expect(!run.stderr.contains(server.password))

        let stats = try await LakeStats.of(lake)
        #expect(stats.unreadable.isEmpty)
        #expect(stats.rows == expected.validUnique && stats.distinct == expected.validUnique, "\(stats.rows) rows, \(stats.distinct) distinct, expected \(expected.validUnique)")
        #expect(stats.sum == expected.sumMonto)
        #expect(PostgresRunSupport.committedTotal(server, database: database) == expected.lines, "records committed twice")
        let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: "outage_dlq")
        #expect(dlq.count == expected.invalid && Set(dlq).count == dlq.count, "DLQ \(dlq.count), expected \(expected.invalid)")
    }

    /// Two instances in one consumer group, each with its own working directory, share the PostgreSQL store and
    /// the lake: both commit, and the lake holds every valid unique event exactly once.
    @Test(.timeLimit(.minutes(10)))
    func twoInstancesShareOneStoreExactlyOnce() async throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("pair")
        let database = PostgresRunSupport.database(of: url)
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("pair", partitions: 6)
        try cluster.createTopic("pair_dlq", partitions: 1)
        let lake = try RepoPaths.temporaryDirectory("pg-pair")
        defer { RepoPaths.remove(lake) }
        let a = try PostgresRunSupport.run(cluster, topic: "pair", group: "pair", lake: lake, url: url,
                                           extra: ["--listen", "off", "--until-idle", "8"])
        let b = try PostgresRunSupport.run(cluster, topic: "pair", group: "pair", lake: lake, url: url,
                                           extra: ["--listen", "off", "--until-idle", "8"])
        var outputs: String { a.output("instance a") + "\n" + b.output("instance b") }
        // Both hold partitions before any event exists, so both have work.
        let assigned = await waitFor(.seconds(120)) {
            [a, b].allSatisfy { $0.stderr.contains("assigned 3 partitions") } || !a.process.isRunning || !b.process.isRunning
        }
        #expect(assigned, "the group did not split the partitions:\n\(outputs)")
        var generator = Pi2EventGenerator(seed: 29, invalidRatio: 0.10, duplicateRatio: 0.05)
        try await PostgresRunSupport.produce(cluster, topic: "pair", count: 40_000, generator: &generator)
        let expected = generator.expected
        let statusA = await a.wait(timeout: .seconds(400)), statusB = await b.wait(timeout: .seconds(400))
        #expect(statusA == 0 && statusB == 0, "\(outputs)")
        #expect(try server.psql("SELECT count(DISTINCT owner) FROM commits", database: database) == "2", "both instances commit")

        let stats = try await LakeStats.of(lake)
        #expect(stats.unreadable.isEmpty)
        #expect(stats.rows == expected.validUnique && stats.distinct == expected.validUnique, "\(outputs)")
        #expect(stats.sum == expected.sumMonto)
        let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: "pair_dlq")
        #expect(dlq.count == expected.invalid && Set(dlq).count == dlq.count)
        #expect(PostgresRunSupport.committedTotal(server, database: database) == expected.lines)
    }

    /// A malformed URL, an unreachable server and a wrong password stop `weir run` at startup: exit 2, naming
    /// `checkpoint.url` and the fix, never printing the password.
    @Test(.timeLimit(.minutes(3)))
    func unusableStoresAreStartupErrorsNamingTheKey() async throws {
        let server = PostgresServer.shared
        let lake = try RepoPaths.temporaryDirectory("pg-config")
        defer { RepoPaths.remove(lake) }
        let secret = "Sup3rSecretPw"
        let cases: [(url: String, says: String, fix: String)] = [
            ("postgres://weir:\(secret)@127.0.0.1:notaport/weir", "is not a valid PostgreSQL URL", "postgres://user@host:port/database"),
            ("postgres://weir:\(secret)@127.0.0.1:\(PostgresServer.freePort())/weir", "unreachable", "check that the server runs"),
            (server.url(password: secret), "refused the login", "PGPASSWORD or ~/.pgpass"),
        ]
        for c in cases {
            let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, [
                "run", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--out-dir", lake, "--listen", "off"],
                environment: ["WEIR_CHECKPOINT_URL": c.url], timeout: .seconds(120))
            #expect(status == 2, "\(c.says): exit \(status)\n\(stderr)")
            #expect(stderr.contains("weir: invalid configuration: checkpoint.url") && stderr.contains(c.says) && stderr.contains(c.fix), "\(stderr)")
            #expect(!stderr.contains(secret), "the password leaked: \(stderr)")
        }
    }
}
