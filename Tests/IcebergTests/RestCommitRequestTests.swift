import Foundation
import Testing
@testable import Iceberg

/// The REST catalog commit request built from a planned append (pure): its requirements fence the base the plan
/// started from, its updates add the snapshot, move `main`, and add a schema only when the plan evolved it.
@Suite struct RestCommitRequestTests {
    static let spec = SnapshotPlannerTests.spec

    static func base(_ planner: SnapshotPlanner, snapshots: Int) throws -> TableState {
        let empty = TableMetadata(tableUUID: "table-uuid", location: "s3://w/pi2/events", schema: SnapshotPlannerTests.schema, spec: spec,
                                  properties: [:], nowMs: 1)
        var state = TableState(metadataLocation: "s3://w/pi2/events/metadata/v1.metadata.json", metadata: empty, manifests: [])
        for i in 0..<snapshots {
            let plan = try planner.plan(base: state, files: [SnapshotPlannerTests.file("f\(i)", day: 20_000, rows: 2)], snapshotID: Int64(100 + i),
                                        summary: [:], fileID: "x\(i)", tableUUID: "ignored", nowMs: Int64(10 + i))
            state = TableState(metadataLocation: plan.metadataLocation, metadata: plan.metadata, manifests: plan.manifests)
        }
        return state
    }

    @Test func anAppendOnAnEmptyTableAssertsNoSnapshotAndAddsOne() throws {
        let planner = SnapshotPlanner(location: "s3://w/pi2/events", schema: SnapshotPlannerTests.schema, spec: Self.spec)
        let base = try Self.base(planner, snapshots: 0)
        let plan = try planner.plan(base: base, files: [SnapshotPlannerTests.file("a", day: 20_000, rows: 5)], snapshotID: 7,
                                    summary: ["weir.kafka-offsets": "{}"], fileID: "a", tableUUID: "", nowMs: 50)
        let request = try RestCommitRequest(base: base.metadata, plan: plan)
        let body = try JSONSerialization.jsonObject(with: Data(try request.body(namespace: ["pi2"], name: "events"))) as! [String: Any]
        #expect((body["identifier"] as? [String: Any])?["name"] as? String == "events")
        let requirements = body["requirements"] as! [[String: Any]]
        #expect(requirements.count == 2)
        #expect(requirements[0]["type"] as? String == "assert-table-uuid" && requirements[0]["uuid"] as? String == "table-uuid")
        #expect(requirements[1]["type"] as? String == "assert-ref-snapshot-id" && requirements[1]["ref"] as? String == "main")
        #expect(requirements[1]["snapshot-id"] is NSNull, "no snapshot yet: the requirement is null, not absent")
        let updates = body["updates"] as! [[String: Any]]
        #expect(updates.map { $0["action"] as? String } == ["add-snapshot", "set-snapshot-ref"])
        let snapshot = updates[0]["snapshot"] as! [String: Any]
        #expect(snapshot["snapshot-id"] as? Int64 == 7 && snapshot["sequence-number"] as? Int64 == 1 && snapshot["parent-snapshot-id"] == nil)
        #expect((snapshot["summary"] as? [String: String])?["operation"] == "append")
        #expect(snapshot["manifest-list"] as? String == plan.manifestListPath)
        #expect(updates[1]["snapshot-id"] as? Int64 == 7 && updates[1]["type"] as? String == "branch" && updates[1]["ref-name"] as? String == "main")
    }

    @Test func anAppendOnASnapshotAssertsItAndAnEvolvedSchemaIsAddedFirst() throws {
        let planner = SnapshotPlanner(location: "s3://w/pi2/events", schema: SnapshotPlannerTests.schema, spec: Self.spec)
        let base = try Self.base(planner, snapshots: 2)
        let wider = SnapshotPlanner(location: "s3://w/pi2/events", schema: IcebergSchema(fields: SnapshotPlannerTests.schema.fields
            + [IcebergField(id: 3, name: "canal", required: false, type: .string)]), spec: Self.spec)
        let plan = try wider.plan(base: base, files: [SnapshotPlannerTests.file("b", day: 20_001, rows: 1)], snapshotID: 9, summary: [:],
                                  fileID: "b", tableUUID: "", nowMs: 60)
        let request = try RestCommitRequest(base: base.metadata, plan: plan)
        #expect(request.requirements[1]["snapshot-id"] as? Int64 == 101, "the base's current snapshot")
        #expect(request.requirements.last?["type"] as? String == "assert-current-schema-id")
        #expect(request.updates.map { $0["action"] as? String } == ["add-schema", "set-current-schema", "add-snapshot", "set-snapshot-ref"])
        #expect(request.updates[0]["last-column-id"] as? Int32 == 3)
        #expect(request.updates[1]["schema-id"] as? Int == -1)
        #expect((request.updates[2]["snapshot"] as? [String: Any])?["parent-snapshot-id"] as? Int64 == 101)
    }
}
