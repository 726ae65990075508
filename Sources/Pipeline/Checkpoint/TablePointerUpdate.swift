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

    public init(table: String, expected: String?, new: String) {
        self.table = table
        self.expected = expected
        self.new = new
    }
}
