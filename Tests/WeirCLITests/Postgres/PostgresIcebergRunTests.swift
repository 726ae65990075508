import Foundation
import Kafka
import Pipeline
import PostgresTestSupport
import Testing
import WeirTestSupport
@testable import WeirCLI

/// `weir run` with `lake.format: iceberg` and `checkpoint.url` on PostgreSQL (issue 20): the sql catalog
/// (`iceberg_tables`) lives in the PostgreSQL store and moves with the offsets, so pyiceberg's SqlCatalog on that
/// database reads the table; killed inside commits, the runs still land every valid unique event exactly once.
@Suite(.serialized) struct PostgresIcebergRunTests {
    static func run(_ cluster: EmbeddedKafkaCluster, lake: String, config: String, url: String, fault: String?) async throws -> ChildProcess {
        var environment = ["WEIR_CHECKPOINT_URL": url]
        if let fault { environment["WEIR_FAULT_KILL_AT"] = fault }
        let child = try ChildProcess(RepoPaths.weir, [
            "run", "--config", config, "--bootstrap-servers", cluster.bootstrapServers, "--topic", "pgice", "--group-id", "pgice",
            "--out-dir", lake, "--listen", "off", "--session-timeout", "4s", "--flush-rows", "1500", "--flush-interval", "1s",
            "--until-idle", "5", "--log-format", "json"], environment: environment, directory: RepoPaths.root)
        await child.wait(timeout: .seconds(600))
        return child
    }

    @Test(.timeLimit(.minutes(10)))
    func killedRunsLandTheTableExactlyOnceAndPyicebergReadsItThroughPostgres() async throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("iceberg")
        let database = PostgresRunSupport.database(of: url)
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("pgice", partitions: 3)
        try cluster.createTopic("pgice_dlq", partitions: 1)
        let dir = try RepoPaths.temporaryDirectory("pg-iceberg-run")
        defer { RepoPaths.remove(dir) }
        let lake = dir + "/lake", config = dir + "/weir.yaml"
        try "lake:\n  format: iceberg\n  iceberg:\n    table: pi2.events\n".write(toFile: config, atomically: true, encoding: .utf8)
        var generator = Pi2EventGenerator(seed: 41, invalidRatio: 0.10, duplicateRatio: 0.05)
        try await LakeRecoveryTests.produce(&generator, count: 9_000, topic: "pgice", bootstrap: cluster.bootstrapServers)

        for fault in ["stored", "staged"] {
            let killed = try await Self.run(cluster, lake: lake, config: config, url: url, fault: fault)
            #expect(killed.process.terminationReason == .uncaughtSignal && killed.process.terminationStatus == SIGKILL,
                    "run with a kill at \(fault) ended \(killed.process.terminationStatus): \(killed.output("weir run"))")
        }
        let last = try await Self.run(cluster, lake: lake, config: config, url: url, fault: nil)
        #expect(last.process.terminationStatus == 0, "last run: \(last.output("weir run"))")
        #expect(!FileManager.default.fileExists(atPath: LakeLayout(root: lake).storePath), "no SQLite store beside a PostgreSQL one")

        // pyiceberg's SqlCatalog on the PostgreSQL database (pg8000), as a reader other than Weir would open it.
        let catalogURI = "postgresql+pg8000://" + url.dropFirst("postgres://".count)
        let table = try IcebergTableOracle.read(lake, options: ["--catalog-uri", catalogURI])
        table.expectExactlyOnce(generator.expected, lake: lake)
        #expect(table.snapshots.count >= 2)
        let row = try server.psql("""
            SELECT metadata_location || ' ' || coalesce(previous_metadata_location, '-') || ' ' || iceberg_type FROM iceberg_tables
            WHERE catalog_name = 'weir' AND table_namespace = 'pi2' AND table_name = 'events'
            """, database: database).split(separator: " ").map(String.init)
        #expect(row.count == 3 && row[0] == table.metadata_files.first && row[1] == table.metadata_files.last && row[2] == "TABLE",
                "catalog row \(row), metadata \(table.metadata_files)")
        let pointer = try server.psql("SELECT location FROM table_pointers WHERE table_name = '\(IcebergTableSettings().pointerKey)'",
                                      database: database)
        #expect(pointer == table.metadata_files.first, "the pointer and the catalog row name the same metadata")
        #expect(try server.psql("SELECT count(*) FROM iceberg_namespace_properties WHERE namespace = 'pi2'", database: database) == "1")
        #expect(try server.psql("SELECT max(version) FROM weir_schema_version", database: database) == "3")
        #expect(try server.psql("SELECT count(*) FROM files WHERE state <> 'published'", database: database) == "0")
    }
}
