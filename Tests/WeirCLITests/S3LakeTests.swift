import Foundation
import Kafka
import ObjectStore
import ObjectStoreTestSupport
import PostgresTestSupport
import Testing
@testable import WeirCLI

/// `weir run` into an `s3://` lake on a real SeaweedFS (`weed mini` on loopback) from an embedded Kafka cluster:
/// exactly once as read back by pyarrow's S3 file system and DuckDB's httpfs extension, a failover after SIGKILL
/// between the store transaction and the publish, a zombie whose publish is refused and counted, and the startup
/// errors. The runs, the failover and the zombie each run with the store every host shares as a SQLite file and
/// as PostgreSQL (`checkpoint.url`, with no local state but a temporary directory).
@Suite(.serialized) struct S3LakeTests {
    /// One lake: a bucket prefix, its shared checkpoint store, and per-"host" state.
    struct Lake {
        let server: SeaweedServer
        let root: String
        let uri: String
        /// Where `weir` reaches the service (the server itself, or a proxy in front of it).
        let endpoint: String
        /// The kind of the shared store: a SQLite file (`checkpoint`) or a PostgreSQL database (`checkpointURL`).
        let store: CrashScenario.Store
        /// The PostgreSQL store's URL (a fresh database of the tests' shared server), nil for SQLite.
        let checkpointURL: String?

        init(server: SeaweedServer, name: String, endpoint: String? = nil, store: CrashScenario.Store = .sqlite) throws {
            self.server = server
            root = try RepoPaths.temporaryDirectory(name)
            uri = "s3://\(server.bucket)/\(name)"
            self.endpoint = endpoint ?? server.endpoint
            self.store = store
            checkpointURL = store == .postgres ? try PostgresServer.shared.makeDatabase(name) : nil
        }

        /// The SQLite store every instance of the lake shares (one file; on one machine here).
        var checkpoint: String { root + "/shared/checkpoint.sqlite" }

        /// The lake's store in `weir.yaml`: `path:` (SQLite) or `url:` (PostgreSQL; no local store at all).
        var checkpointYAML: String { checkpointURL.map { "url: \($0)" } ?? "path: \(checkpoint)" }

        /// Files under the test's directories that only a SQLite store writes (none may exist with PostgreSQL).
        func localStoreFiles() -> [String] {
            let all = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
            return all.filter { $0.hasSuffix(".sqlite") || $0.hasSuffix(".keys") || $0.contains(".sqlite-") }
        }

        /// A configuration file for one host: its own working directory, the lake, a short lease.
        func host(_ name: String) throws -> String {
            let dir = root + "/" + name
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let yaml = """
                lake:
                  out_dir: \(uri)
                  s3:
                    endpoint: \(endpoint)
                    lease_ttl: 3s
                checkpoint:
                  \(checkpointYAML)
                """
            try yaml.write(toFile: dir + "/weir.yaml", atomically: true, encoding: .utf8)
            return dir
        }

        var environment: [String: String] {
            ["AWS_ACCESS_KEY_ID": server.credentials.accessKeyId, "AWS_SECRET_ACCESS_KEY": server.credentials.secretAccessKey,
             "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "OUT_DIR": "", "CHECKPOINT_PATH": "",
             "WEIR_CHECKPOINT_URL": ""]
        }

        func start(host: String, bootstrap: String, topic: String, extra: [String: String] = [:]) throws -> ChildProcess {
            let dir = try self.host(host)
            return try ChildProcess(RepoPaths.weir, [
                "run", "--bootstrap-servers", bootstrap, "--topic", topic, "--group-id", topic, "--listen", "off",
                "--session-timeout", "4s", "--flush-rows", "3000", "--flush-interval", "1s", "--until-idle", "5",
                "--log-format", "json"], environment: environment.merging(["TMPDIR": dir], uniquingKeysWith: { $1 }).merging(extra, uniquingKeysWith: { $1 }),
                directory: dir)
        }

        func stats() async throws -> LakeStats {
            let (status, out, err) = try await ChildProcess.run(
                RepoPaths.python, [RepoPaths.oracle("s3_lake_stats.py"), uri, "--endpoint", server.endpoint], environment: environment)
            guard status == 0 else { throw OracleError(message: "s3_lake_stats.py failed (\(status)): \(err)") }
            return try JSONDecoder().decode(LakeStats.self, from: Data(out.utf8))
        }

        /// Objects under `_weir/staging/` and multipart uploads left anywhere in the lake.
        func leftovers() throws -> (staging: [String], uploads: Int) {
            let client = try server.client()
            let prefix = String(uri.dropFirst("s3://\(server.bucket)/".count))
            return (try client.listAllObjects(prefix: prefix + "/_weir/staging/").map(\.key),
                    try client.listMultipartUploads(prefix: prefix + "/").count)
        }

        func expectExactlyOnce(_ expected: Pi2EventGenerator.Expected, _ cluster: EmbeddedKafkaCluster, topic: String,
                               _ context: @autoclosure () -> String) async throws {
            let stats = try await self.stats()
            #expect(stats.unreadable.isEmpty, "\(stats.unreadable)")
            #expect(stats.rows == expected.validUnique, "\(context())")
            #expect(stats.distinct == expected.validUnique)
            #expect(stats.sum == expected.sumMonto)
            #expect(stats.per_date == expected.perDate)
            // DuckDB's httpfs lists and reads the s3:// glob itself and must see the same lake.
            #expect(stats.duckdb == LakeStats.Counts(files: stats.files, rows: expected.validUnique, distinct: expected.validUnique,
                                                     sum: expected.sumMonto, per_date: expected.perDate), "\(context())")
            let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: topic + "_dlq")
            #expect(dlq.count == expected.invalid, "DLQ holds \(dlq.count), expected \(expected.invalid)")
            #expect(Set(dlq).count == dlq.count, "the DLQ holds \(dlq.count - Set(dlq).count) records twice")
        }
    }

    /// 20,000 generated events (10% invalid, 5% duplicates) land in `s3://` exactly once; a clean exit leaves no
    /// staging object and no multipart upload, and the only local state is the checkpoint store's directory.
    @Test(.timeLimit(.minutes(10)), arguments: [CrashScenario.Store.sqlite, .postgres])
    func aRunLandsEveryEventOnceInObjectStorage(store: CrashScenario.Store) async throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let lake = try Lake(server: server, name: "s3run", store: store)
        defer { RepoPaths.remove(lake.root) }
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "s3run", partitions: 4, dlqPartitions: 1, events: 20_000, seed: 18)

        let run = try lake.start(host: "host-a", bootstrap: cluster.bootstrapServers, topic: "s3run")
        #expect(await run.wait(timeout: .seconds(600)) == 0, "\(run.output("weir run"))")
        try await lake.expectExactlyOnce(expected, cluster, topic: "s3run", run.output("weir run"))
        let left = try lake.leftovers()
        #expect(left.staging.isEmpty, "\(left.staging)")
        #expect(left.uploads == 0)
        #expect(!FileManager.default.fileExists(atPath: lake.root + "/host-a/datasets"), "nothing landed locally")
        if store == .postgres { #expect(lake.localStoreFiles().isEmpty, "a store file on a host: \(lake.localStoreFiles())") }

        // A host pointed at another (empty) store would land the topic a second time: it refuses to start.
        let (key, other) = store == .postgres ? ("checkpoint.url", ["WEIR_CHECKPOINT_URL": try PostgresServer.shared.makeDatabase("stray")])
            : ("checkpoint.path", ["CHECKPOINT_PATH": lake.root + "/host-c/checkpoint.sqlite"])
        let stray = try lake.start(host: "host-c", bootstrap: cluster.bootstrapServers, topic: "s3run", extra: other)
        #expect(await stray.wait(timeout: .seconds(120)) == 2, "\(stray.output("stray"))")
        // PostgreSQL: the bucket records which database is its store; SQLite: the store is empty beside committed files.
        let refusal = store == .postgres ? "weir: invalid configuration: checkpoint.url: points at postgres://"
            : "weir: invalid configuration: \(key): \(lake.uri) already holds committed files"
        #expect(stray.stderr.contains(refusal), "\(stray.output("stray"))")
        #expect(try await lake.stats().rows == expected.validUnique)
    }

    /// Instance A commits (the store transaction) and is SIGKILLed before publishing. Instance B, started in
    /// another directory with its own TMPDIR and nothing of A's but the shared store, waits for A's lease to
    /// expire, fences A, publishes A's committed files, deletes its other staged objects, and lands the rest.
    /// With PostgreSQL, B has nothing local but its empty TMPDIR: the bucket and the store's URL are all it needs.
    @Test(.timeLimit(.minutes(10)), arguments: [CrashScenario.Store.sqlite, .postgres])
    func anotherHostFinishesTheCommitOfAKilledInstance(store: CrashScenario.Store) async throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let lake = try Lake(server: server, name: "s3failover", store: store)
        defer { RepoPaths.remove(lake.root) }
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "s3fo", partitions: 4, dlqPartitions: 1, events: 20_000, seed: 19)

        let a = try lake.start(host: "host-a", bootstrap: cluster.bootstrapServers, topic: "s3fo", extra: ["WEIR_FAULT_KILL_AT": "stored"])
        await a.wait(timeout: .seconds(600))
        #expect(a.wasKilled, "A must die inside its first commit: \(a.output("A"))")
        #expect(try await lake.stats().files == 0, "A's committed files are not published yet")
        #expect(try lake.leftovers().staging.contains { $0.hasSuffix(".parquet.tmp") }, "A's committed files wait in staging")

        let b = try lake.start(host: "host-b", bootstrap: cluster.bootstrapServers, topic: "s3fo")
        #expect(await b.wait(timeout: .seconds(600)) == 0, "\(b.output("B"))")
        #expect(b.stderr.contains("recovered interrupted commits"), "\(b.output("B"))")
        try await lake.expectExactlyOnce(expected, cluster, topic: "s3fo", a.output("A") + "\n" + b.output("B"))
        #expect(try lake.leftovers().staging.isEmpty)
        if store == .postgres { #expect(lake.localStoreFiles().isEmpty, "a store file on a host: \(lake.localStoreFiles())") }
    }

    /// A zombie: A stops itself (SIGSTOP) right after its store transaction. B starts, takes over A's expired
    /// lease (fencing A in the store), publishes A's files and lands the rest. A is then resumed: its publish
    /// finds the names taken and is refused and counted, and the lake stays exactly once.
    @Test(.timeLimit(.minutes(10)), arguments: [CrashScenario.Store.sqlite, .postgres])
    func aZombiesPublishIsRefusedAndCounted(store: CrashScenario.Store) async throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let lake = try Lake(server: server, name: "s3zombie", store: store)
        defer { RepoPaths.remove(lake.root) }
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "s3z", partitions: 4, dlqPartitions: 1, events: 20_000, seed: 20)

        let a = try lake.start(host: "host-a", bootstrap: cluster.bootstrapServers, topic: "s3z", extra: ["WEIR_FAULT_STOP_AT": "stored"])
        defer { a.kill(SIGCONT); a.kill() }
        let deadline = ContinuousClock.now + .seconds(300)
        while !a.stderr.contains("SIGSTOP at commit step 'stored'") && a.process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(a.stderr.contains("SIGSTOP at commit step 'stored'"), "\(a.output("A"))")

        let b = try lake.start(host: "host-b", bootstrap: cluster.bootstrapServers, topic: "s3z")
        #expect(await b.wait(timeout: .seconds(600)) == 0, "\(b.output("B"))")
        #expect(b.stderr.contains("recovered interrupted commits"), "\(b.output("B"))")

        a.kill(SIGCONT)
        await a.wait(timeout: .seconds(300))
        // B's output too: whether B took over A's lease and published A's files is in B's log.
        #expect(a.stderr.contains("the object store refused a create-only write"), "\(a.output("A"))\n\(b.output("B"))")
        #expect(a.stdout.contains("refused   ") || a.stderr.contains("staging lease"), "\(a.output("A"))\n\(b.output("B"))")
        try await lake.expectExactlyOnce(expected, cluster, topic: "s3z", a.output("A") + "\n" + b.output("B"))
    }

    /// Wrong credentials, a missing bucket, an endpoint nobody listens on, and a missing checkpoint.path each stop
    /// `weir run` at startup with exit 2, the key and the fix (no Kafka needed: the lake is checked first).
    @Test(.timeLimit(.minutes(5)))
    func startupErrorsNameTheKeyAndTheFix() async throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let lake = try Lake(server: server, name: "s3errors")
        defer { RepoPaths.remove(lake.root) }
        let dir = try lake.host("host")
        func run(_ args: [String], _ env: [String: String]) async throws -> (Int32, String) {
            let (status, _, err) = try await ChildProcess.run(
                RepoPaths.weir, ["run", "--bootstrap-servers", "127.0.0.1:1", "--listen", "off"] + args,
                environment: lake.environment.merging(env, uniquingKeysWith: { $1 }), directory: dir, timeout: .seconds(120))
            return (status, err)
        }
        let (badKey, e1) = try await run([], ["AWS_SECRET_ACCESS_KEY": "not-the-secret"])
        #expect(badKey == 2, "\(e1)")
        #expect(e1.contains("weir: lake.out_dir: the object store at \(server.endpoint) refused these credentials"), "\(e1)")
        #expect(e1.contains("(fix: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "\(e1)")
        #expect(!e1.contains("not-the-secret"), "a secret never appears")

        let (noBucket, e2) = try await run(["--out-dir", "s3://no-such-bucket/lake"], [:])
        #expect(noBucket == 2, "\(e2)")
        #expect(e2.contains("weir: lake.out_dir: the bucket 'no-such-bucket' of s3://no-such-bucket/lake does not exist"), "\(e2)")
        #expect(e2.contains("(fix: create the bucket"), "\(e2)")

        let closed = try FreePorts.allocate(1)[0]
        let unreachable = dir + "/unreachable.yaml"
        try (try String(contentsOfFile: dir + "/weir.yaml", encoding: .utf8))
            .replacingOccurrences(of: server.endpoint, with: "http://127.0.0.1:\(closed)")
            .write(toFile: unreachable, atomically: true, encoding: .utf8)
        let (down, e3) = try await run(["--config", unreachable], [:])
        #expect(down == 2, "\(e3)")
        #expect(e3.contains("weir: lake.s3.endpoint: cannot reach the object store of \(lake.uri) at http://127.0.0.1:\(closed)"), "\(e3)")
        #expect(e3.contains("(fix: set lake.s3.endpoint"), "\(e3)")

        try "lake:\n  out_dir: \(lake.uri)\n".write(toFile: dir + "/nostore.yaml", atomically: true, encoding: .utf8)
        let (missing, e4) = try await run(["--config", dir + "/nostore.yaml"], [:])
        #expect(missing == 2, "\(e4)")
        #expect(e4.contains("checkpoint.path: is required when the lake is in object storage"), "\(e4)")
    }
}
