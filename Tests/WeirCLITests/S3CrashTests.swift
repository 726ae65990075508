import Foundation
import Kafka
import ObjectStoreTestSupport
import Testing
@testable import WeirCLI

/// The crash test (`CrashTests`) with the lake on SeaweedFS (issue 18): 200,000 generated events (10% invalid, 5%
/// duplicates) on an embedded cluster; `weir run` into `s3://` is SIGKILLed at least 20 times, at least 3 of them
/// inside a commit (fault hook: after staging, after the store transaction, after publishing), and restarted each
/// time with the same shared checkpoint store. Each restart's recovery finds the dead instance's staging prefix
/// (its lease expires after `lease_ttl` 3 s), fences it, publishes its committed files and deletes its orphans.
/// Then pyarrow and DuckDB over `s3://…/**/*.parquet` must show every valid unique event exactly once with the
/// generator's sum and per-date counts, the DLQ topic every invalid event once, and no staging object or
/// multipart upload may be left. It runs with the shared store as a SQLite file and as PostgreSQL
/// (`checkpoint.url`: the production multi-host setup, nothing local but a temporary directory).
@Suite(.serialized) struct S3CrashTests {
    @Test(.timeLimit(.minutes(25)), arguments: [CrashScenario.Store.sqlite, .postgres])
    func killedAtRandomMomentsLandsEveryEventExactlyOnceInObjectStorage(store: CrashScenario.Store) async throws {
        let started = ContinuousClock.now
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let lake = try S3LakeTests.Lake(server: server, name: "s3crash", store: store)
        defer { RepoPaths.remove(lake.root) }
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "s3crash", partitions: 8, dlqPartitions: 2,
                                                     events: CrashScenario.parquet.events, seed: 7, roundRobin: true)
        let dir = try lake.host("host")
        func run(untilIdle: Bool, fault: Bool) throws -> ChildProcess {
            var args = ["run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "s3crash", "--group-id", "s3crash",
                        "--listen", "off", "--config", dir + "/weir.yaml",
                        "--session-timeout", "4s", "--flush-rows", "4000", "--flush-interval", "1s", "--log-format", "json"]
            if untilIdle { args += ["--until-idle", "8"] }
            var env = lake.environment.merging(["TMPDIR": dir], uniquingKeysWith: { $1 })
            if fault { env.merge(["WEIR_FAULT_KILL_AT": "staged,stored,published", "WEIR_FAULT_KILL_PROBABILITY": "0.4"], uniquingKeysWith: { $1 }) }
            return try ChildProcess(RepoPaths.weir, args, environment: env, directory: dir)
        }

        let loop = try await CrashKillLoop.run(faultWait: .seconds(90), randomWaitMs: 2_000...8_000) {
            try run(untilIdle: false, fault: $0)
        }
        #expect(loop.kills >= 20, "\(loop.lastOutputs.joined(separator: "\n"))")
        #expect(loop.commitKills >= 3, "\(loop.lastOutputs.joined(separator: "\n"))")

        // The last killed instance's lease must have expired (lease_ttl 3 s + 2 s grace, by the service's clock) for
        // the final run's recovery to delete its orphans: a live-looking prefix is left alone.
        try await Task.sleep(for: .seconds(7))
        let final = try run(untilIdle: true, fault: false)
        let status = await final.wait(timeout: .seconds(600))
        #expect(status == 0, "final run failed:\n\(final.output("final weir run"))")
        try await lake.expectExactlyOnce(expected, cluster, topic: "s3crash",
                                         (loop.lastOutputs + [final.output("final weir run")]).joined(separator: "\n"))
        let left = try lake.leftovers()
        #expect(left.staging.isEmpty, "\(left.staging)")
        #expect(left.uploads == 0)
        print("S3CrashTests (\(store.rawValue) store): \(loop.kills) kills (\(loop.commitKills) inside a commit), \(loop.runs) runs, wall time \(ContinuousClock.now - started)")
    }
}
