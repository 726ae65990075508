import Iceberg

/// Which Iceberg table a run writes and how (`lake.iceberg.*`).
public struct IcebergTableSettings: Sendable, Equatable {
    /// Where the table's catalog is (`lake.iceberg.catalog`).
    public enum Catalog: String, Sendable, Equatable {
        /// The JDBC-layout catalog in the checkpoint store; the pointer moves in the store's transaction.
        case sql
        /// An Iceberg REST catalog at `catalogURI`.
        case rest
    }

    public var catalog = Catalog.sql
    /// The REST catalog's base URL (`lake.iceberg.catalog_uri`, e.g. `http://127.0.0.1:8181`); nil for `sql`.
    public var catalogURI: String?
    /// The warehouse the REST catalog serves (`lake.iceberg.warehouse`; sent to its config endpoint), nil: its default.
    public var warehouse: String?
    /// The catalog's name (`lake.iceberg.catalog_name`, default `weir`): the `catalog_name` of its rows.
    public var catalogName = "weir"
    /// The namespace (`pi2` of `lake.iceberg.table: pi2.events`).
    public var namespace = "pi2"
    /// The table's name in its namespace.
    public var name = "events"
    /// The partition transform of the event-time column (`lake.iceberg.partition`, default `day`).
    public var transform: PartitionTransform = .day

    public init() {}

    /// The table's directory under the warehouse (the lake root), `<namespace>.db/<name>` like other SQL catalogs.
    public var relativeLocation: String { namespace + ".db/" + name }
    /// The key of the table's pointer in the checkpoint store.
    public var pointerKey: String { "iceberg:" + catalogName + ":" + namespace + "." + name }
}
