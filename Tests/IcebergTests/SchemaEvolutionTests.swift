import Testing
@testable import Iceberg

/// Matching a writer's columns with a table's schema, and the planner making the evolved schema current.
@Suite struct SchemaEvolutionTests {
    static let v1 = IcebergSchema(fields: [
        IcebergField(id: 1, name: "event_id", required: true, type: .string),
        IcebergField(id: 2, name: "ts", required: true, type: .timestamptz),
        IcebergField(id: 3, name: "n", required: true, type: .int),
    ])

    static func column(_ name: String, _ type: IcebergType, required: Bool = true) -> IcebergField {
        IcebergField(id: 0, name: name, required: required, type: type)
    }

    @Test func aNewColumnGetsTheNextIdAndIsOptionalExistingOnesKeepTheirIds() throws {
        // `canal` between existing columns: ids follow names, not positions; last-column-id 5 (a dropped field 4, 5).
        let result = try SchemaEvolution.evolve(Self.v1, lastColumnID: 5, columns: [
            Self.column("event_id", .string), Self.column("canal", .string), Self.column("ts", .timestamptz), Self.column("n", .int),
        ])
        #expect(result.columnIDs == [1, 6, 2, 3])
        #expect(result.fields == Self.v1.fields + [IcebergField(id: 6, name: "canal", required: false, type: .string)])
    }

    @Test func unchangedColumnsGiveTheSameSchema() throws {
        let result = try SchemaEvolution.evolve(Self.v1, lastColumnID: 3, columns: Self.v1.fields)
        #expect(result.fields == Self.v1.fields && result.columnIDs == [1, 2, 3])
    }

    @Test func intWidensToLongAndOtherChangesAreRefused() throws {
        let wider = try SchemaEvolution.evolve(Self.v1, lastColumnID: 3, columns: [
            Self.column("event_id", .string), Self.column("ts", .timestamptz), Self.column("n", .long),
        ])
        #expect(wider.fields[2] == IcebergField(id: 3, name: "n", required: true, type: .long))
        #expect(throws: SchemaEvolution.IncompatibleTypeChange(column: "event_id", tableType: .string, writerType: .long)) {
            _ = try SchemaEvolution.evolve(Self.v1, lastColumnID: 3, columns: [Self.column("event_id", .long), Self.column("ts", .timestamptz)])
        }
        let narrowed = IcebergSchema(fields: [IcebergField(id: 1, name: "n", required: false, type: .long)])
        #expect(throws: SchemaEvolution.IncompatibleTypeChange(column: "n", tableType: .long, writerType: .int)) {
            _ = try SchemaEvolution.evolve(narrowed, lastColumnID: 1, columns: [Self.column("n", .int)])
        }
    }

    @Test func aDroppedColumnStaysOptionalAndAnOptionalColumnNeverBecomesRequired() throws {
        let optionalN = IcebergSchema(fields: [Self.v1.fields[0], Self.v1.fields[1], IcebergField(id: 3, name: "n", required: false, type: .int)])
        let result = try SchemaEvolution.evolve(optionalN, lastColumnID: 3, columns: [
            Self.column("ts", .timestamptz), Self.column("n", .int, required: true),
        ])
        #expect(result.columnIDs == [2, 3])
        #expect(result.fields.map(\.required) == [false, true, false], "event_id dropped → optional; n stays optional")
    }

    @Test func thePlannerAddsASchemaOnceAndReusesIt() throws {
        let spec = PartitionSpec(fields: [PartitionField(name: "ts_day", transform: .day, sourceID: 2, fieldID: 1000)])
        let old = SnapshotPlanner(location: "file:///lake/t", schema: Self.v1, spec: spec)
        let file = DataFile(path: "file:///lake/t/data/a", partition: [20_000], recordCount: 1, fileSizeInBytes: 10)
        let first = try old.plan(base: nil, files: [file], snapshotID: 1, summary: [:], fileID: "a", tableUUID: "u", nowMs: 1)
        var base = TableState(metadataLocation: first.metadataLocation, metadata: try TableMetadata.decode(first.metadataBytes),
                              manifests: first.manifests)

        let newSchema = IcebergSchema(fields: Self.v1.fields + [IcebergField(id: 4, name: "canal", required: true, type: .string)])
        let new = SnapshotPlanner(location: "file:///lake/t", schema: newSchema, spec: spec)
        let second = try new.plan(base: base, files: [file], snapshotID: 2, summary: [:], fileID: "b", tableUUID: "u", nowMs: 2)
        let m = second.metadata
        #expect(m.schemas.map(\.schemaID) == [0, 1] && m.currentSchemaID == 1 && m.lastColumnID == 4)
        #expect(m.currentSchema?.fields.last == IcebergField(id: 4, name: "canal", required: false, type: .string))
        #expect(second.snapshot.schemaID == 1 && m.snapshots[0].schemaID == 0)

        base = TableState(metadataLocation: second.metadataLocation, metadata: m, manifests: second.manifests)
        let third = try new.plan(base: base, files: [file], snapshotID: 3, summary: [:], fileID: "c", tableUUID: "u", nowMs: 3)
        #expect(third.metadata.schemas.count == 2 && third.metadata.currentSchemaID == 1)

        // A writer whose files carry id 4 for another column than the table's field 4 is refused.
        let clash = SnapshotPlanner(location: "file:///lake/t", schema: IcebergSchema(fields: Self.v1.fields + [
            IcebergField(id: 4, name: "region", required: false, type: .string)]), spec: spec)
        #expect(throws: SchemaConflict.self) {
            _ = try clash.plan(base: base, files: [file], snapshotID: 4, summary: [:], fileID: "d", tableUUID: "u", nowMs: 4)
        }
    }
}
