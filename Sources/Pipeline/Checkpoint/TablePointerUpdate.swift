/// A table format's pointer moved by a commit, e.g. an Apache Iceberg table's current metadata location in a SQL
/// catalog kept in the checkpoint store. Moving it in the same transaction as the offsets and dedup keys is what
/// makes a snapshot and the consumption it covers one atomic step.
public struct TablePointerUpdate: Sendable, Equatable {
    /// The table's identifier, e.g. `lake.pi2_events`.
    public let table: String
    /// The value this writer read before building its commit (nil: the table had none). The commit is refused with
    /// `TablePointerConflict` if the store holds anything else by then.
    public let expected: String?
    /// The new value, e.g. the location of the new `metadata.json`.
    public let new: String
    /// The row of the SQL catalog (the JDBC catalog's `iceberg_tables` layout) that readers open the table by; the
    /// store moves it with the pointer, by the same compare-and-set, in the same transaction. nil: no catalog row.
    public let catalogTable: CatalogTableName?

    public init(table: String, expected: String?, new: String, catalogTable: CatalogTableName? = nil) {
        self.table = table
        self.expected = expected
        self.new = new
        self.catalogTable = catalogTable
    }
}

/// A table's identity in a SQL catalog: `iceberg_tables(catalog_name, table_namespace, table_name)`.
public struct CatalogTableName: Sendable, Equatable {
    public let catalogName: String
    /// The namespace, levels joined by `.` (how the JDBC catalog stores it).
    public let namespace: String
    public let name: String

    public init(catalogName: String, namespace: String, name: String) {
        self.catalogName = catalogName
        self.namespace = namespace
        self.name = name
    }
}
