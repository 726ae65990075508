import Iceberg
import Pipeline

/// `lake.format` and `lake.iceberg.*`: which table format the lake is.
///
/// ```yaml
/// lake:
///   format: iceberg            # parquet (default): Hive-partitioned Parquet files; iceberg: an Apache Iceberg v2 table
///   iceberg:
///     table: pi2.events        # namespace.table (default pi2.events)
///     catalog: sql             # sql (default): the JDBC-layout catalog in the checkpoint store; rest: a REST catalog
///     catalog_name: weir       # the catalog's name readers open (default weir)
///     catalog_uri: http://127.0.0.1:8181   # rest only: the catalog's base URL
///     warehouse: warehouse     # rest only: the warehouse it serves (default: the catalog's)
///     partition: day           # day (default) or hour of the event time
/// ```
struct LakeTableConfig: Sendable {
    enum Format: String, Sendable { case parquet, iceberg }

    var format = Format.parquet
    var iceberg = IcebergTableSettings()

    /// Reads `format` and the `iceberg` section of the `lake` section.
    /// - Throws: `ConfigError` naming the key and the fix for an unknown format, catalog or transform, a table
    ///   name that is not `namespace.table`, or a `partition: hour` with `partition_by_hour: false`.
    mutating func apply(_ lake: inout ConfigReader, pipeline: inout PipelineConfig) throws {
        if let value = try lake.string("format") {
            guard let f = Format(rawValue: value) else {
                throw ConfigError(key: "lake.format", message: "'\(value)' is not parquet or iceberg", fix: "use parquet or iceberg")
            }
            format = f
        }
        guard var r = try lake.section("iceberg") else { return }
        if let table = try r.string("table") {
            let parts = table.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains("/") }) else {
                throw ConfigError(key: "lake.iceberg.table", message: "'\(table)' is not namespace.table",
                                  fix: "write e.g. pi2.events (a namespace, a dot, the table's name)")
            }
            iceberg.namespace = parts.dropLast().joined(separator: ".")
            iceberg.name = String(parts.last!)
        }
        if let catalog = try r.string("catalog") {
            guard let kind = IcebergTableSettings.Catalog(rawValue: catalog) else {
                throw ConfigError(key: "lake.iceberg.catalog", message: "'\(catalog)' is not sql or rest",
                                  fix: "use sql (the catalog in Weir's checkpoint database) or rest (with lake.iceberg.catalog_uri)")
            }
            iceberg.catalog = kind
        }
        if let uri = try r.string("catalog_uri") {
            guard uri.hasPrefix("http://") || uri.hasPrefix("https://") else {
                throw ConfigError(key: "lake.iceberg.catalog_uri", message: "'\(uri)' is not an http:// or https:// URL",
                                  fix: "give the REST catalog's base URL, e.g. http://127.0.0.1:8181 (without /v1)")
            }
            iceberg.catalogURI = uri
        }
        if let warehouse = try r.string("warehouse") { iceberg.warehouse = warehouse.isEmpty ? nil : warehouse }
        if iceberg.catalog == .rest, iceberg.catalogURI == nil {
            throw ConfigError(key: "lake.iceberg.catalog_uri", message: "is required with lake.iceberg.catalog: rest",
                              fix: "set it to the REST catalog's base URL, e.g. http://127.0.0.1:8181")
        }
        if let name = try r.string("catalog_name") {
            guard !name.isEmpty else {
                throw ConfigError(key: "lake.iceberg.catalog_name", message: "is empty", fix: "write a name, e.g. weir")
            }
            iceberg.catalogName = name
        }
        if let transform = try r.string("partition") {
            guard let t = PartitionTransform(rawValue: transform) else {
                throw ConfigError(key: "lake.iceberg.partition", message: "'\(transform)' is not day or hour",
                                  fix: "use day or hour (a transform of the event-time column)")
            }
            iceberg.transform = t
            // The run loop buffers by the same unit, so each data file holds one partition value.
            pipeline.partitioning = HivePartitioning(byHour: t == .hour)
        }
        try r.rejectUnknownKeys(allowed: ["table", "catalog", "catalog_name", "catalog_uri", "warehouse", "partition"])
    }
}
