import Foundation
import Kafka
import ObjectStore
import ObjectStoreTestSupport
import Pipeline
import PostgresTestSupport
import Testing
@testable import WeirCLI

/// The day-two commands on an `s3://` lake whose store is PostgreSQL (`checkpoint.url`, no `checkpoint.path`):
/// `inspect`, `compact` (one at a time across hosts through an advisory lock in the store), `checkpoint stats` and
/// `checkpoint rebuild` into an empty database, each from a "host" directory that holds nothing but its configuration.
extension S3DayTwoTests {
    @Test(.timeLimit(.minutes(15)))
    func dayTwoCommandsWorkOnAnS3LakeWithAPostgresStore() async throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let lake = try Lake(server: server, name: "s3pgdaytwo", store: .postgres)
        defer { RepoPaths.remove(lake.root) }
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "s3pgd", partitions: 4, dlqPartitions: 1, events: 20_000, seed: 22)

        let land = try Self.run(lake, host: "host-a", bootstrap: cluster.bootstrapServers, topic: "s3pgd", group: "s3pgd")
        #expect(await land.wait(timeout: .seconds(600)) == 0, "\(land.output("weir run"))")
        let landed = try await expectLake(lake, expected, land.output("weir run"))
        #expect(landed.files > landed.per_date.count, "several small files per partition to compact: \(landed.files)")

        let (inspected, report, e1) = try await Self.weir(lake, host: "ops", ["inspect", lake.uri])
        #expect(inspected == 0, "\(e1)")
        #expect(report.contains("\(lake.uri): \(landed.files) files, \(expected.validUnique) rows"), "\(report)")

        // Another host holds the compaction lock (the store's advisory lock): compaction must not begin until it
        // is released.
        let locks = PostgresLakeLocks(location: try PostgresLocation(url: try #require(lake.checkpointURL)))
        let held = LockedFlag(false), release = LockedFlag(false)
        let holder = Thread {
            try? locks.withLock("_compaction", exclusive: true) {
                held.value = true
                while !release.value { Thread.sleep(forTimeInterval: 0.05) }
            }
        }
        holder.start()
        defer { release.value = true }
        while !held.value { try await Task.sleep(for: .milliseconds(50)) }
        let opsDir = try lake.host("ops")
        let compact = try ChildProcess(RepoPaths.weir, ["compact", "--config", opsDir + "/weir.yaml", "--placeholder-grace", "1s"],
                                       environment: lake.environment, directory: opsDir)
        defer { compact.kill() }
        try await Task.sleep(for: .seconds(4))
        let prefix = String(lake.uri.dropFirst("s3://\(server.bucket)/".count))
        let started = try server.client().listAllObjects(prefix: prefix + "/_weir/compaction/").map(\.key)
        #expect(compact.process.isRunning && compact.stdout.isEmpty && started.isEmpty,
                "a compaction ran while another host held the lock: \(started) \(compact.output("weir compact"))")
        release.value = true
        #expect(await compact.wait(timeout: .seconds(300)) == 0, "\(compact.output("weir compact"))")
        #expect(compact.stdout.contains(" merged into "), "\(compact.stdout)")
        let compacted = try await expectLake(lake, expected, compact.output("weir compact"))
        #expect(compacted.files < landed.files, "\(landed.files) -> \(compacted.files) files")
        let (again, second, e2) = try await Self.weir(lake, host: "ops", ["compact"])
        #expect(again == 0 && second.split(separator: "\n").allSatisfy { $0.contains("nothing to do") }, "\(second) \(e2)")

        let (statsStatus, stats, e3) = try await Self.weir(lake, host: "ops", ["checkpoint", "stats", "--format", "json"])
        #expect(statsStatus == 0 && stats.contains("\"keys\""), "\(stats) \(e3)")
        #expect(lake.localStoreFiles().isEmpty, "a store file on a host: \(lake.localStoreFiles())")

        // rebuild: the store is lost (here: the hosts are pointed at a new, empty database); rebuilding it from the
        // bucket restores offsets and keys, so a run with a new consumer group lands nothing again.
        let lost = lake.environment.merging(["WEIR_CHECKPOINT_URL": try PostgresServer.shared.makeDatabase("s3pgrebuilt")]) { $1 }
        let (rebuilt, rebuildReport, e4) = try await ChildProcess.run(
            RepoPaths.weir, ["checkpoint", "rebuild", "--topic", "s3pgd", "--config", opsDir + "/weir.yaml"], environment: lost,
            directory: opsDir, timeout: .seconds(300))
        #expect(rebuilt == 0, "\(e4)")
        #expect(rebuildReport.contains("files     \(compacted.files) Parquet files (\(expected.validUnique) rows)"), "\(rebuildReport)")
        let hostB = try lake.host("host-b")
        let rerun = try ChildProcess(RepoPaths.weir, [
            "run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "s3pgd", "--group-id", "s3pgd-after-rebuild",
            "--listen", "off", "--session-timeout", "4s", "--flush-rows", "2000", "--flush-interval", "1s", "--until-idle", "5",
            "--dlq-sink", "file", "--log-format", "json"], environment: lost.merging(["TMPDIR": hostB]) { $1 }, directory: hostB)
        #expect(await rerun.wait(timeout: .seconds(600)) == 0, "\(rerun.output("weir run after rebuild"))")
        let after = try await expectLake(lake, expected, rerun.output("weir run after rebuild"))
        #expect(after.files == compacted.files, "the run after the rebuild landed nothing")
    }
}
