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
        try await withLandedLake("s3pgdaytwo", store: .postgres, topic: "s3pgd", seed: 22) { landed in
            let (lake, cluster, expected) = (landed.lake, landed.cluster, landed.expected)
            // Another host holds the compaction lock (the store's advisory lock).
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
            let compacted = try await expectCompactionWaitsForTheLock(landed) { release.value = true }
            let opsDir = try lake.host("ops")

            let (statsStatus, stats, e3) = try await Self.weir(lake, host: "ops", ["checkpoint", "stats", "--format", "json"])
            #expect(statsStatus == 0 && stats.contains("\"keys\""), "\(stats) \(e3)")
            #expect(lake.localStoreFiles().isEmpty, "a store file on a host: \(lake.localStoreFiles())")

            // rebuild: the store is lost (here: the hosts are pointed at a new, empty database); rebuilding it from the
            // bucket restores offsets and keys, so a run with a new consumer group lands nothing again. The bucket
            // records the old database: a plain rebuild into the new one is refused, --replace-store moves the lake.
            let lost = lake.environment.merging(["WEIR_CHECKPOINT_URL": try PostgresServer.shared.makeDatabase("s3pgrebuilt"),
                                                 "TMPDIR": opsDir]) { $1 }
            let rebuild = ["checkpoint", "rebuild", "--topic", "s3pgd", "--config", opsDir + "/weir.yaml"]
            let (refused, _, refusal) = try await ChildProcess.run(RepoPaths.weir, rebuild, environment: lost, directory: opsDir,
                                                                   timeout: .seconds(300))
            #expect(refused == 2 && refusal.contains("but the lake") && refusal.contains("--replace-store"), "\(refusal)")
            let (rebuilt, rebuildReport, e4) = try await ChildProcess.run(
                RepoPaths.weir, rebuild + ["--replace-store"], environment: lost, directory: opsDir, timeout: .seconds(300))
            #expect(rebuilt == 0, "\(e4)")
            // A host still pointed at the old database is refused now.
            let (stale, _, staleError) = try await Self.weir(lake, host: "ops", ["checkpoint", "stats"])
            #expect(stale == 2 && staleError.contains("points at") && staleError.contains("s3pgrebuilt"), "\(staleError)")
            #expect(rebuildReport.contains("files     \(compacted.files) Parquet files (\(expected.validUnique) rows)"), "\(rebuildReport)")
            let rerun = try Self.run(lake, host: "host-b", bootstrap: cluster.bootstrapServers, topic: "s3pgd", group: "s3pgd-after-rebuild",
                                     environment: lost)
            #expect(await rerun.wait(timeout: .seconds(600)) == 0, "\(rerun.output("weir run after rebuild"))")
            let after = try await expectLake(lake, expected, rerun.output("weir run after rebuild"))
            #expect(after.files == compacted.files, "the run after the rebuild landed nothing")
        }
    }
}
