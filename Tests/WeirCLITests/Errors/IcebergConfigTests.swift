import Foundation
import Iceberg
import Pipeline
import Testing
@testable import WeirCLI

/// `lake.format` and `lake.iceberg.*`: defaults, accepted values, and errors that name the key and the fix.
@Suite struct IcebergConfigTests {
    static func load(_ yaml: String) throws -> WeirConfig { try ConfigFile.load(yaml) }

    @Test func defaultsArePlainParquetAndPi2Events() throws {
        let config = try Self.load("lake: {out_dir: /tmp/x}\n")
        #expect(config.lakeTable.format == .parquet)
        #expect(config.lakeTable.iceberg == IcebergTableSettings())
        #expect(config.lakeTable.iceberg.namespace == "pi2" && config.lakeTable.iceberg.name == "events")
        #expect(config.lakeTable.iceberg.catalogName == "weir" && config.lakeTable.iceberg.transform == .day)
    }

    @Test func icebergKeysAreRead() throws {
        let config = try Self.load("""
            lake:
              format: iceberg
              iceberg: {table: analytics.raw.clicks, catalog: sql, catalog_name: lakehouse, partition: hour}
            """)
        #expect(config.lakeTable.format == .iceberg)
        #expect(config.lakeTable.iceberg.namespace == "analytics.raw" && config.lakeTable.iceberg.name == "clicks")
        #expect(config.lakeTable.iceberg.catalogName == "lakehouse" && config.lakeTable.iceberg.transform == .hour)
        #expect(config.pipeline.partitioning.byHour, "hour partitions buffer by hour")
    }

    @Test func restCatalogKeysAreRead() throws {
        let config = try Self.load("""
            lake:
              format: iceberg
              iceberg: {catalog: rest, catalog_uri: "http://127.0.0.1:8181", warehouse: tables}
            """)
        #expect(config.lakeTable.iceberg.catalog == .rest)
        #expect(config.lakeTable.iceberg.catalogURI == "http://127.0.0.1:8181" && config.lakeTable.iceberg.warehouse == "tables")
        let client = PipelineAssembly.restCatalog(config, environment: ["WEIR_ICEBERG_CREDENTIAL": "id:secret"])
        #expect(client?.uri == "http://127.0.0.1:8181" && client?.warehouse == "tables")
        #expect(try PipelineAssembly.restCatalog(Self.load("lake: {format: iceberg}")) == nil, "sql: no REST client")
    }

    @Test func aPostgresStoreHoldsTheSqlCatalogOfALocalLake() throws {
        let config = try Self.load("lake: {format: iceberg, out_dir: /tmp/x}\ncheckpoint: {url: \"postgres://w@127.0.0.1/d\"}\n")
        #expect(config.lakeTable.format == .iceberg && config.lakeTable.iceberg.catalog == .sql)
        #expect(config.checkpointURL == "postgres://w@127.0.0.1/d")
        try config.validate()
    }

    /// A PostgreSQL store holds the sql catalog of a lake on a file system; the rest is refused until tested.
    @Test(arguments: [
        ("lake: {format: iceberg, iceberg: {catalog: rest, catalog_uri: \"http://127.0.0.1:8181\"}}\ncheckpoint: {url: \"postgres://w@127.0.0.1/d\"}",
         "a REST catalog (lake.iceberg.catalog: rest) and a PostgreSQL checkpoint store"),
        ("lake: {format: iceberg, out_dir: \"s3://bucket/lake\"}\ncheckpoint: {url: \"postgres://w@127.0.0.1/d\"}",
         "an s3:// lake (s3://bucket/lake) and a PostgreSQL checkpoint store"),
    ])
    func untestedPostgresIcebergSetupsAreRefused(yaml: String, text: String) throws {
        do {
            try Self.load(yaml).validate()
            Issue.record("\(yaml) was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "checkpoint.url", "\(error)")
            #expect("\(error)".contains(text) && "\(error)".contains("remove checkpoint.url"), "\(error)")
        }
    }

    @Test(arguments: [
        ("lake: {format: delta}", "lake.format", "use parquet or iceberg"),
        ("lake: {iceberg: {table: events}}", "lake.iceberg.table", "namespace"),
        ("lake: {iceberg: {catalog: rest}}", "lake.iceberg.catalog_uri", "is required with lake.iceberg.catalog: rest"),
        ("lake: {iceberg: {catalog: hive}}", "lake.iceberg.catalog", "use sql"),
        ("lake: {iceberg: {partition: month}}", "lake.iceberg.partition", "day or hour"),
        ("lake: {iceberg: {catalog: rest, catalog_uri: x}}", "lake.iceberg.catalog_uri", "not an http:// or https:// URL"),
        ("lake: {iceberg: {catalog_url: x}}", "lake.iceberg.catalog_url", "unknown key"),
    ])
    func badValuesNameTheKey(yaml: String, key: String, text: String) throws {
        do {
            _ = try Self.load(yaml)
            Issue.record("\(yaml) was accepted")
        } catch let error as ConfigError {
            #expect(error.key == key, "\(error)")
            #expect("\(error)".contains(text), "\(error)")
        }
    }
}
