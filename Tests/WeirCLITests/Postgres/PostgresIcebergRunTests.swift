import Foundation
import Kafka
@testable import Pipeline
import PostgresTestSupport
import Testing
import WeirTestSupport
@testable import WeirCLI

/// `weir run` with `lake.format: iceberg` and `checkpoint.url` on PostgreSQL (issue 20): the sql catalog
/// (`iceberg_tables`) lives in the PostgreSQL store and moves with the offsets, so pyiceberg's SqlCatalog on that
/// database reads the table; killed inside commits, the runs still land every valid unique event exactly once.
@Suite(.serialized) struct PostgresIcebergRunTests {
    @Test(.timeLimit(.minutes(10)))
    func killedRunsLandTheTableExactlyOnceAndPyicebergReadsItThroughPostgres() async throws {
        let server = PostgresServer.shared
        let url = try server.makeDatabase("iceberg")
        let database = PostgresRunSupport.database(of: url)
        try await IcebergRunFixture.with(topic: "pgice", partitions: 3, directory: "pg-iceberg-run", events: .init(count: 9_000, seed: 41)) { ice in
            let store = ["WEIR_CHECKPOINT_URL": url]
            for fault in ["stored", "staged"] {
                IcebergRunFixture.expectKilled(try await ice.run(fault: fault, environment: store), at: fault)
            }
            let last = try await ice.run(environment: store)
            #expect(last.process.terminationStatus == 0, "last run: \(last.output("weir run"))")
            #expect(!FileManager.default.fileExists(atPath: LakeLayout(root: ice.lake).storePath), "no SQLite store beside a PostgreSQL one")

            // pyiceberg's SqlCatalog on the PostgreSQL database (pg8000), as a reader other than Weir would open it.
            let catalogURI = "postgresql+pg8000://" + url.dropFirst("postgres://".count)
            let table = try IcebergTableOracle.read(ice.lake, options: ["--catalog-uri", catalogURI])
            table.expectExactlyOnce(ice.expected, lake: ice.lake)
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
            #expect(try server.psql("SELECT max(version) FROM weir_schema_version", database: database) == String(PostgresSchema.version), "every migration ran")
            #expect(try server.psql("SELECT count(*) FROM files WHERE state <> 'published'", database: database) == "0")
        }
    }
}
