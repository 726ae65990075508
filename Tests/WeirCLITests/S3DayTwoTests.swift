import Foundation
import Kafka
import ObjectStore
import ObjectStoreTestSupport
import Testing
@testable import WeirCLI
#if canImport(Glibc)
import Glibc
#endif

/// The day-two commands on an `s3://` lake on a real SeaweedFS, after `weir run` landed it from an embedded Kafka
/// cluster: `inspect`, `compact` (exclusive across processes through the lock beside the shared checkpoint store),
/// `checkpoint stats`, `dlq replay --from-dir s3://…/_dlq` and `checkpoint rebuild`; and what pyarrow and DuckDB do
/// with a listed object that was deleted before the read (the assumption compaction on object storage rests on).
@Suite(.serialized) struct S3DayTwoTests {
    typealias Lake = S3LakeTests.Lake

    static func weir(_ lake: Lake, host: String, _ args: [String], timeout: Duration = .seconds(300)) async throws -> (Int32, String, String) {
        let dir = try lake.host(host)
        // TMPDIR: with a PostgreSQL store, weir keeps the lake's local state in a temporary directory.
        return try await ChildProcess.run(RepoPaths.weir, args + ["--config", dir + "/weir.yaml"],
                                          environment: lake.environment.merging(["TMPDIR": dir], uniquingKeysWith: { $1 }),
                                          directory: dir, timeout: timeout)
    }

    /// Starts `weir run` on host `host` of `lake` (its environment, or `environment` instead when given).
    static func run(_ lake: Lake, host: String, bootstrap: String, topic: String, group: String,
                    environment: [String: String]? = nil) throws -> ChildProcess {
        let dir = try lake.host(host)
        return try ChildProcess(RepoPaths.weir, [
            "run", "--bootstrap-servers", bootstrap, "--topic", topic, "--group-id", group, "--listen", "off",
            "--session-timeout", "4s", "--flush-rows", "2000", "--flush-interval", "1s", "--until-idle", "5",
            "--dlq-sink", "file", "--log-format", "json"],
            environment: (environment ?? lake.environment).merging(["TMPDIR": dir], uniquingKeysWith: { $1 }), directory: dir)
    }

    static func number(_ label: String, in text: String) -> Int? {
        text.split(separator: "\n").first { $0.hasPrefix(label) }?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    func expectLake(_ lake: Lake, _ expected: Pi2EventGenerator.Expected, _ context: @autoclosure () -> String) async throws -> LakeStats {
        let stats = try await lake.stats()
        #expect(stats.unreadable.isEmpty, "\(stats.unreadable)")
        #expect(stats.rows == expected.validUnique, "\(context())")
        #expect(stats.distinct == expected.validUnique)
        #expect(stats.sum == expected.sumMonto)
        #expect(stats.per_date == expected.perDate)
        return stats
    }

    /// A SeaweedFS server, an `s3://` lake on it and an embedded cluster whose topic (4 partitions) `weir run` on
    /// host-a landed into the lake; the lake checked and `weir inspect` of its URI reporting its files and rows.
    struct Landed {
        let server: SeaweedServer
        let lake: Lake
        let cluster: EmbeddedKafkaCluster
        let expected: Pi2EventGenerator.Expected
        let stats: LakeStats
        /// The bucket key prefix of the lake.
        var prefix: String { String(lake.uri.dropFirst("s3://\(server.bucket)/".count)) }
    }

    /// Builds `Landed` (topic and consumer group `topic`, 20,000 events of generator `seed`), runs `body` on it and
    /// tears it all down.
    func withLandedLake(_ name: String, store: CrashScenario.Store = .sqlite, topic: String, seed: UInt64,
                        _ body: (Landed) async throws -> Void) async throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let lake = try Lake(server: server, name: name, store: store)
        defer { RepoPaths.remove(lake.root) }
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: topic, partitions: 4, dlqPartitions: 1, events: 20_000, seed: seed)

        let land = try Self.run(lake, host: "host-a", bootstrap: cluster.bootstrapServers, topic: topic, group: topic)
        #expect(await land.wait(timeout: .seconds(600)) == 0, "\(land.output("weir run"))")
        let landed = try await expectLake(lake, expected, land.output("weir run"))
        #expect(landed.files > landed.per_date.count, "several small files per partition to compact: \(landed.files)")
        let (inspected, report, e1) = try await Self.weir(lake, host: "ops", ["inspect", lake.uri])
        #expect(inspected == 0, "\(e1)")
        #expect(report.contains("\(lake.uri): \(landed.files) files, \(expected.validUnique) rows"), "\(report)")
        try await body(Landed(server: server, lake: lake, cluster: cluster, expected: expected, stats: landed))
    }

    /// `weir compact` from host "ops" while another host holds the compaction lock: it must not begin (no intent in
    /// the bucket, nothing printed) until `release` lets the lock go, then it compacts the lake to fewer files and a
    /// second compaction has nothing to do. Returns the compacted lake's statistics.
    func expectCompactionWaitsForTheLock(_ landed: Landed, release: () -> Void) async throws -> LakeStats {
        let lake = landed.lake
        let opsDir = try lake.host("ops")
        let compact = try ChildProcess(RepoPaths.weir, ["compact", "--config", opsDir + "/weir.yaml", "--placeholder-grace", "1s"],
                                       environment: lake.environment.merging(["TMPDIR": opsDir], uniquingKeysWith: { $1 }),
                                       directory: opsDir)
        defer { compact.kill() }
        // What must not happen has no event to wait for: 4 s is the time the compaction is given to start wrongly.
        try await Task.sleep(for: .seconds(4))
        let started = try landed.server.client().listAllObjects(prefix: landed.prefix + "/_weir/compaction/").map(\.key)
        #expect(compact.process.isRunning && compact.stdout.isEmpty && started.isEmpty,
                "a compaction ran while another host held the lock: \(started) \(compact.output("weir compact"))")
        release()
        #expect(await compact.wait(timeout: .seconds(300)) == 0, "\(compact.output("weir compact"))")
        #expect(compact.stdout.contains(" merged into "), "\(compact.stdout)")
        let compacted = try await expectLake(lake, landed.expected, compact.output("weir compact"))
        #expect(compacted.files < landed.stats.files, "\(landed.stats.files) -> \(compacted.files) files")
        let (again, second, e2) = try await Self.weir(lake, host: "ops", ["compact"])
        #expect(again == 0 && second.split(separator: "\n").allSatisfy { $0.contains("nothing to do") }, "\(second) \(e2)")
        return compacted
    }

    @Test(.timeLimit(.minutes(15)))
    func dayTwoCommandsWorkOnAnS3Lake() async throws {
        try await withLandedLake("s3daytwo", topic: "s3d", seed: 21) { landed in
            let (server, lake, cluster, expected) = (landed.server, landed.lake, landed.cluster, landed.expected)
            // inspect: one file (footer, schema, statistics), and a partition that does not exist.
            let oneFile = try #require(try server.client().listAllObjects(prefix: landed.prefix + "/date=").map(\.key).first { $0.hasSuffix(".parquet") })
            let (inspectedFile, fileReport, e2) = try await Self.weir(lake, host: "ops", ["inspect", "s3://\(server.bucket)/\(oneFile)"])
            #expect(inspectedFile == 0 && fileReport.contains("created_by: ") && fileReport.contains("event_id"), "\(fileReport) \(e2)")
            let (missing, _, e3) = try await Self.weir(lake, host: "ops", ["inspect", lake.uri + "/date=1999-01-01"])
            #expect(missing == 2 && e3.hasPrefix("weir: ") && e3.contains("date=1999-01-01 does not exist"), "\(e3)")

            // compact waits for the lock beside the shared store: another process (a host sharing that file system)
            // holds it.
            let locks = (lake.checkpoint as NSString).deletingLastPathComponent + "/locks"
            try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
            let fd = open(locks + "/_compaction.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
            let compacted = try await expectCompactionWaitsForTheLock(landed) { close(fd) }

            let (statsStatus, storeStats, e5) = try await Self.weir(lake, host: "ops", ["checkpoint", "stats", "--format", "json"])
            #expect(statsStatus == 0 && storeStats.contains("\"keys\""), "\(storeStats) \(e5)")

            // dlq replay --from-dir s3://…/_dlq with a schema that also accepts the generator's accion "buy": the
            // newly valid events are replayed, the rest counted; a second replay resends nothing (its ledger is in the bucket).
            let v1 = try String(contentsOfFile: RepoPaths.root + "/schemas/pi2_events.v1.yaml", encoding: .utf8)
            let v2 = lake.root + "/pi2_events.v2.yaml"
            try v1.replacingOccurrences(of: "allowed: [click, view, purchase]", with: "allowed: [click, view, purchase, buy]")
                .replacingOccurrences(of: #"regex: '^e\d+$'"#, with: #"regex: '^[ex]\d+$'"#).write(toFile: v2, atomically: true, encoding: .utf8)
            try cluster.createTopic("s3d_replayed", partitions: 1)
            let replay = ["dlq", "replay", "--from-dir", lake.uri + "/_dlq", "--schema", v2, "--bootstrap-servers", cluster.bootstrapServers,
                          "--to-topic", "s3d_replayed"]
            let (replayed, first, e6) = try await Self.weir(lake, host: "ops", replay)
            #expect(replayed == 0, "\(e6)")
            let sent = Self.number("replayed", in: first) ?? -1
            #expect(Self.number("read", in: first) == expected.invalid, "\(first)")
            #expect(sent > 0 && sent + (Self.number("remaining", in: first) ?? -1) == expected.invalid, "\(first)")
            let (replayedAgain, second, e7) = try await Self.weir(lake, host: "ops", replay)
            #expect(replayedAgain == 0 && Self.number("replayed", in: second) == 0 && second.contains("skipped   \(sent) "), "\(second) \(e7)")

            // rebuild: the store is lost; rebuilding from the bucket restores offsets and keys, so a run with a new
            // consumer group (no Kafka offsets to fall back on) lands nothing again.
            try FileManager.default.moveItem(atPath: (lake.checkpoint as NSString).deletingLastPathComponent, toPath: lake.root + "/lost-store")
            let (refused, _, e8) = try await Self.weir(lake, host: "ops", ["compact"])
            #expect(refused == 2 && e8.contains("checkpoint.path"), "\(e8)")
            let (rebuilt, rebuildReport, e9) = try await Self.weir(lake, host: "ops", ["checkpoint", "rebuild", "--topic", "s3d"])
            let staging = try lake.leftovers().staging
            #expect(rebuilt == 0, "\(e9) staging: \(staging)")
            #expect(rebuildReport.contains("files     \(compacted.files) Parquet files (\(expected.validUnique) rows)"), "\(rebuildReport)")
            let rerun = try Self.run(lake, host: "host-b", bootstrap: cluster.bootstrapServers, topic: "s3d", group: "s3d-after-rebuild")
            #expect(await rerun.wait(timeout: .seconds(600)) == 0, "\(rerun.output("weir run after rebuild"))")
            let after = try await expectLake(lake, expected, rerun.output("weir run after rebuild"))
            #expect(after.files == compacted.files, "the run after the rebuild landed nothing")

            // A listed object deleted before the read (what a reader racing compaction's sweep meets): both readers fail.
            let (status, out, err) = try await ChildProcess.run(
                RepoPaths.python, [RepoPaths.oracle("s3_deleted_object_read.py"), lake.uri, "--endpoint", server.endpoint],
                environment: lake.environment)
            #expect(status == 0, "\(err)")
            let race = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] ?? [:]
            for reader in ["pyarrow_dataset", "duckdb_over_dataset", "pyarrow_read_table", "duckdb_httpfs"] {
                let result = race[reader] as? [String: Any] ?? [:]
                #expect(result["error"] != nil, "\(reader) read a listed, deleted object without failing: \(out)")
            }
        }
    }
}
