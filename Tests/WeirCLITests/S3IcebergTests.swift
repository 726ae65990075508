import Foundation
import Kafka
import ObjectStore
import ObjectStoreTestSupport
import Pipeline
import Testing
@testable import WeirCLI

/// `weir run` with `lake.format: iceberg` into an `s3://` lake on a real SeaweedFS (`weed mini` on loopback), the
/// SQL catalog in the local SQLite store: killed inside commits, then read back by pyiceberg's SqlCatalog on that
/// store file with its S3 FileIO.
@Suite(.serialized) struct S3IcebergTests {
    /// An `s3://` Iceberg lake of one server: its prefix, the local store, and the processes' environment.
    struct Lake {
        let server: SeaweedServer
        let root: String
        let uri: String

        /// - Parameter uri: the lake (default `s3://<bucket>/<name>`).
        init(server: SeaweedServer, name: String, uri: String? = nil) throws {
            self.server = server
            root = try RepoPaths.temporaryDirectory(name)
            self.uri = uri ?? "s3://\(server.bucket)/\(name)"
        }

        var checkpoint: String { root + "/checkpoint.sqlite" }

        /// Writes `weir.yaml`; `iceberg` adds lines to `lake.iceberg` (e.g. `catalog: rest`).
        func writeConfig(iceberg: [String] = []) throws {
            let lines = ["lake:", "  out_dir: \(uri)", "  format: iceberg", "  iceberg:", "    table: pi2.events"]
                + iceberg.map { "    " + $0 }
                + ["  s3:", "    endpoint: \(server.endpoint)", "    lease_ttl: 3s", "checkpoint:", "  path: \(checkpoint)"]
            try lines.joined(separator: "\n").write(toFile: root + "/weir.yaml", atomically: true, encoding: .utf8)
        }

        var environment: [String: String] {
            ["AWS_ACCESS_KEY_ID": server.credentials.accessKeyId, "AWS_SECRET_ACCESS_KEY": server.credentials.secretAccessKey,
             "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "OUT_DIR": "", "CHECKPOINT_PATH": "", "TMPDIR": root]
        }

        func run(topic: String, bootstrap: String, fault: String?, extra: [String: String] = [:]) async throws -> ChildProcess {
            let child = try ChildProcess(RepoPaths.weir, [
                "run", "--config", root + "/weir.yaml", "--bootstrap-servers", bootstrap, "--topic", topic, "--group-id", topic,
                "--listen", "off", "--session-timeout", "4s", "--flush-rows", "1500", "--flush-interval", "1s",
                "--until-idle", "5", "--log-format", "json"],
                environment: environment.merging(fault.map { ["WEIR_FAULT_KILL_AT": $0] } ?? [:], uniquingKeysWith: { $1 })
                    .merging(extra, uniquingKeysWith: { $1 }),
                directory: root)
            await child.wait(timeout: .seconds(600))
            return child
        }

        /// The lake's bucket.
        var bucket: String { String(uri.dropFirst("s3://".count).prefix { $0 != "/" }) }

        /// The keys under `prefix` (relative to the lake's bucket) as `s3://` URIs.
        func objects(under prefix: String) throws -> [String] {
            try server.client { $0.bucket = bucket }.listAllObjects(prefix: prefix).map { "s3://\(bucket)/" + $0.key }
        }

        var oracleOptions: [String] {
            ["--catalog-db", checkpoint, "--s3-endpoint", server.endpoint,
             "--credential", server.credentials.accessKeyId + ":" + server.credentials.secretAccessKey]
        }
    }

    /// Killed once right after a store transaction and once after staging, then a run that drains the topic:
    /// pyiceberg's SqlCatalog (the store file) with its S3 FileIO reads every valid unique event exactly once, no
    /// data file is added twice across snapshots, and no object is left under the table that it does not
    /// reference (recovery removed the killed runs' orphans from the bucket).
    @Test(.timeLimit(.minutes(10)))
    func killedRunsLeaveTheS3TableExactlyOnce() async throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let lake = try Lake(server: server, name: "s3ice")
        defer { RepoPaths.remove(lake.root) }
        try lake.writeConfig()
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "s3ice", partitions: 3, dlqPartitions: 1, events: 9_000, seed: 41)

        var outputs: [String] = []
        for fault in ["stored", "staged"] {
            let killed = try await lake.run(topic: "s3ice", bootstrap: cluster.bootstrapServers, fault: fault)
            outputs.append(killed.output("run killed at \(fault)"))
            #expect(killed.wasKilled, "run with a kill at \(fault): \(outputs.last!)")
            #expect(killed.stderr.contains("SIGKILL at commit step '\(fault)'"), "\(outputs.last!)")
        }
        // The last run starts once the killed writer's lease has expired, so its recovery may remove that
        // writer's orphans (a live writer's files are left alone).
        try await Task.sleep(for: .seconds(4))
        let last = try await lake.run(topic: "s3ice", bootstrap: cluster.bootstrapServers, fault: nil)
        outputs.append(last.output("last run"))
        #expect(last.process.terminationStatus == 0, "\(outputs.joined(separator: "\n"))")

        let table = try IcebergTableOracle.read(lake.uri, options: lake.oracleOptions)
        let prefix = "s3ice/pi2.db/events/"
        let metadata = try lake.objects(under: prefix + "metadata/").map { String($0.split(separator: "/").last!) }
        table.expectExactlyOnce(expected, dataFiles: Set(try lake.objects(under: prefix + "data/")), metadataNames: metadata)
        #expect(table.snapshots.count >= 2)
        for f in table.files {
            #expect(f.path.hasPrefix("s3://\(server.bucket)/\(prefix)data/ts_day=\(f.partition[0] ?? "?")/"), "\(f.path)")
        }
        #expect(try lake.objects(under: "s3ice/_weir/staging/").filter { !$0.hasSuffix("/.lease") && !$0.contains("/.") }.isEmpty)
        let pointer = try SQLiteCheckpointStore(path: lake.checkpoint).tablePointer("iceberg:weir:pi2.events")
        #expect(pointer?.hasPrefix("s3://\(server.bucket)/\(prefix)metadata/") == true, "\(pointer ?? "nil")")
    }
}
