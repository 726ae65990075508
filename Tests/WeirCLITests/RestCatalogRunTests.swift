import Foundation
import Kafka
import ObjectStore
import ObjectStoreTestSupport
import Pipeline
import Testing
@testable import WeirCLI

/// `weir run` with `lake.iceberg.catalog: rest` against SeaweedFS's Iceberg REST catalog (`weed mini` with a
/// table bucket, on loopback): the table lives in the table bucket, Weir commits each flush through the catalog
/// and the offsets and dedup keys through its store, and pyiceberg's RestCatalog reads it back.
@Suite(.serialized) struct RestCatalogRunTests {
    static let tableBucket = "warehouse"

    static func lake(_ server: SeaweedServer, name: String) throws -> S3IcebergTests.Lake {
        let lake = try S3IcebergTests.Lake(server: server, name: name, uri: "s3://\(tableBucket)/pi2/events")
        try lake.writeConfig(iceberg: ["catalog: rest", "catalog_uri: \(server.icebergCatalogURI!)", "warehouse: \(tableBucket)"])
        return lake
    }

    static func credential(_ server: SeaweedServer) -> [String: String] {
        ["WEIR_ICEBERG_CREDENTIAL": server.credentials.accessKeyId + ":" + server.credentials.secretAccessKey]
    }

    static func read(_ server: SeaweedServer, _ lake: S3IcebergTests.Lake) throws -> IcebergTableOracle {
        try IcebergTableOracle.read(lake.uri, options: [
            "--rest-uri", server.icebergCatalogURI!, "--rest-warehouse", tableBucket, "--s3-endpoint", server.endpoint,
            "--credential", server.credentials.accessKeyId + ":" + server.credentials.secretAccessKey])
    }

    /// The crash window: killed right after the store transaction and before the catalog commit (`stored`), then
    /// right after the catalog commit before the files are marked published (`cataloged`), then after staging;
    /// the last run drains the topic. Recovery commits the first batch's snapshot to the catalog (it is recorded
    /// in the store, so Kafka will not deliver it again) and leaves the second as it is (the catalog has it):
    /// pyiceberg's RestCatalog reads every valid unique event exactly once, no data file is added twice, and no
    /// data file or Weir manifest is left that the table does not reference.
    @Test(.timeLimit(.minutes(15)))
    func aCrashBetweenTheStoreAndTheCatalogCommitLosesAndDuplicatesNothing() async throws {
        let server = try SeaweedServer.start(tableBucket: Self.tableBucket)
        defer { server.stop() }
        let lake = try Self.lake(server, name: "restice")
        defer { RepoPaths.remove(lake.root) }
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "restice", partitions: 3, dlqPartitions: 1, events: 9_000, seed: 43)

        var outputs: [String] = []
        for fault in ["stored", "cataloged", "staged"] {
            try await Task.sleep(for: .seconds(4))  // the previous writer's lease expires: recovery takes it over
            let killed = try await lake.run(topic: "restice", bootstrap: cluster.bootstrapServers, fault: fault, extra: Self.credential(server))
            outputs.append(killed.output("run killed at \(fault)"))
            #expect(killed.wasKilled, "run with a kill at \(fault): \(outputs.joined(separator: "\n"))")
            #expect(killed.stderr.contains("SIGKILL at commit step '\(fault)'"), "\(outputs.last!)")
        }
        try await Task.sleep(for: .seconds(4))
        let last = try await lake.run(topic: "restice", bootstrap: cluster.bootstrapServers, fault: nil, extra: Self.credential(server))
        outputs.append(last.output("last run"))
        #expect(last.process.terminationStatus == 0, "\(outputs.joined(separator: "\n"))")

        let table = try Self.read(server, lake)
        let metadata = try lake.objects(under: "pi2/events/metadata/").map { String($0.split(separator: "/").last!) }
        table.expectExactlyOnce(expected, dataFiles: Set(try lake.objects(under: "pi2/events/data/")), metadataNames: metadata,
                                catalogWritesMetadata: true)
        #expect(table.snapshots.contains { $0.summary["weir.recovered-by"] != nil },
                "the batch killed before its catalog commit was committed by recovery: \(table.snapshots.map(\.summary))")
        #expect(table.snapshots.allSatisfy { $0.summary["weir.store-commit-id"] != nil })
        #expect(table.snapshots.map(\.sequence_number) == (1...Int64(table.snapshots.count)).map { $0 })
    }

    /// A clean run creates the namespace and the table in the catalog, commits one snapshot per flush with the
    /// Kafka offsets in its summary, and a second run on the same table resumes from the store's offsets.
    @Test(.timeLimit(.minutes(10)))
    func aRunCreatesTheTableAndCommitsThroughTheCatalog() async throws {
        let server = try SeaweedServer.start(tableBucket: Self.tableBucket)
        defer { server.stop() }
        let lake = try Self.lake(server, name: "restrun")
        defer { RepoPaths.remove(lake.root) }
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "restrun", partitions: 2, dlqPartitions: 1, events: 4_000, seed: 44)

        let run = try await lake.run(topic: "restrun", bootstrap: cluster.bootstrapServers, fault: nil, extra: Self.credential(server))
        #expect(run.process.terminationStatus == 0, "\(run.output("weir run"))")
        let table = try Self.read(server, lake)
        let metadata = try lake.objects(under: "pi2/events/metadata/").map { String($0.split(separator: "/").last!) }
        table.expectExactlyOnce(expected, dataFiles: Set(try lake.objects(under: "pi2/events/data/")), metadataNames: metadata,
                                catalogWritesMetadata: true)
        #expect(Dictionary(uniqueKeysWithValues: table.schema.map { ($0.name, $0.type) })["ts"] == "timestamptz")
        let offsets = table.snapshots.last?.summary["weir.kafka-offsets"] ?? ""
        #expect(offsets.contains("\"restrun\""), "\(table.snapshots.last?.summary ?? [:])")
        #expect(metadata.contains { $0.hasSuffix(".metadata.json") }, "the catalog wrote the metadata files: \(metadata)")

        // Without credentials the catalog refuses: the run stops at startup naming the catalog.
        let refused = try await lake.run(topic: "restrun", bootstrap: cluster.bootstrapServers, fault: nil)
        #expect(refused.process.terminationStatus == 2, "a catalog that refuses at startup is a configuration error")
        #expect(refused.stderr.contains("weir: invalid configuration: lake.iceberg.catalog_uri: ") && refused.stderr.contains(server.icebergCatalogURI!)
                && refused.stderr.contains("(fix: "), "\(refused.output("no credential"))")
    }
}
