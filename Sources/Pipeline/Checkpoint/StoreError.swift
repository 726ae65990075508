/// A failure of the checkpoint store (SQLite I/O, locking, corruption).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// True when trying again may succeed (the database was busy or locked).
    public let isRetriable: Bool
    /// What the operator can do about it, when known.
    public let fix: String?

    public init(message: String, isRetriable: Bool, fix: String? = nil) {
        self.message = message
        self.isRetriable = isRetriable
        self.fix = fix
    }

    public var description: String { "checkpoint store: \(message)" + (fix.map { " (fix: \($0))" } ?? "") }
}

/// The store's offsets for a partition moved since this instance read them: another member of the consumer
/// group (or a zombie of this one) committed the same partition. The commit is refused as a whole.
public struct OffsetConflict: Error, Sendable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32
    public let expected: Int64?
    public let found: Int64?

    public var description: String {
        "offset conflict on \(topic)[\(partition)]: expected stored offset \(expected.map(String.init) ?? "none"), found \(found.map(String.init) ?? "none")"
    }
}

/// Dedup keys of this commit were inserted by another writer after this instance looked them up: the batch holds
/// duplicates that the lookup could not see. The transaction is rolled back; the commit drops those rows and tries
/// again (`CommitJob`), or, after repeated races, is refused and its batch processed again.
public struct DedupRace: Error, Sendable, CustomStringConvertible {
    public let expected: Int
    /// The keys another writer stored meanwhile.
    public let conflicting: Set<DedupKey>
    public var inserted: Int { expected - conflicting.count }
    public var description: String { "dedup race: \(conflicting.count) of \(expected) keys were stored by another writer meanwhile" }
}

/// A table pointer moved since this writer read it: another writer committed a snapshot of the same table. The
/// commit is refused as a whole (offsets, keys and files included).
public struct TablePointerConflict: Error, Sendable, CustomStringConvertible {
    public let table: String
    public let expected: String?
    public let found: String?

    public var description: String {
        "table pointer conflict on \(table): expected \(expected ?? "none"), found \(found ?? "none")"
    }
}

/// Another instance claimed a partition of this commit (`CheckpointStore.claimPartitions`): it was assigned the
/// partition, so this instance is a zombie for it and must not deliver its DLQ records (the new owner delivers
/// them). Refuses a DLQ delivery permit; the commit is refused as a whole, like an `OffsetConflict`.
public struct PartitionOwnedElsewhere: Error, Sendable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32
    /// The owner token of the instance that claimed it (its writer instance id).
    public let owner: String

    public var description: String {
        "\(topic)[\(partition)] was claimed by instance \(owner): this instance lost it, and neither delivers its DLQ records nor commits it"
    }
}
