import Foundation

/// The requirements and updates of a REST catalog commit (`CommitTableRequest` of the Iceberg REST catalog spec)
/// that move a table from `base` to a planned snapshot (pure, no I/O).
///
/// - Requirements: `assert-table-uuid` (the table was not dropped and re-created meanwhile) and
///   `assert-ref-snapshot-id` on `main` (no other writer committed since `base`; null when `base` has no
///   snapshot); with a schema change also `assert-current-schema-id`.
/// - Updates: `add-schema` + `set-current-schema` (-1: the schema just added) when the plan added a schema,
///   then `add-snapshot` and `set-snapshot-ref` (`main`, a branch).
public struct RestCommitRequest {
    /// The `requirements` array of the commit body: JSON objects, each with its `type` (e.g. `assert-table-uuid`).
    public var requirements: [[String: Any]]
    /// The `updates` array of the commit body: JSON objects, each with its `action` (e.g. `add-snapshot`).
    public var updates: [[String: Any]]

    /// - Throws: `EncodingError` when the snapshot or schema cannot be encoded.
    public init(base: TableMetadata, plan: SnapshotPlan) throws {
        requirements = [
            ["type": "assert-table-uuid", "uuid": base.tableUUID],
            ["type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": base.currentSnapshotID.map { $0 as Any } ?? NSNull()],
        ]
        updates = []
        let known = Set(base.schemas.map(\.schemaID))
        let added = plan.metadata.schemas.filter { !known.contains($0.schemaID) }
        if !added.isEmpty {
            requirements.append(["type": "assert-current-schema-id", "current-schema-id": base.currentSchemaID])
            for schema in added {
                updates.append(["action": "add-schema", "schema": try Self.json(schema), "last-column-id": plan.metadata.lastColumnID])
            }
            updates.append(["action": "set-current-schema", "schema-id": -1])
        }
        updates.append(["action": "add-snapshot", "snapshot": try Self.json(plan.snapshot)])
        updates.append(["action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": plan.snapshot.snapshotID])
    }

    /// The request body's JSON bytes for `identifier` (keys sorted).
    public func body(namespace: [String], name: String) throws -> [UInt8] {
        let object: [String: Any] = ["identifier": ["namespace": namespace, "name": name], "requirements": requirements, "updates": updates]
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    static func json<T: Encodable>(_ value: T) throws -> Any {
        try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value))
    }
}
