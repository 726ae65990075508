import Iceberg

/// Which Iceberg table a run writes and how (`lake.iceberg.*`).
public struct IcebergTableSettings: Sendable, Equatable {
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
