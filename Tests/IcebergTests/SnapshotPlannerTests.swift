import Foundation
import Testing
@testable import Iceberg

/// Commit planning without I/O: metadata, manifest lists and manifests of consecutive appends.
@Suite struct SnapshotPlannerTests {
    static let schema = IcebergSchema(fields: [
        IcebergField(id: 1, name: "event_id", required: true, type: .string),
        IcebergField(id: 2, name: "ts", required: true, type: .timestamptz),
    ])
    static let spec = PartitionSpec(fields: [PartitionField(name: "ts_day", transform: .day, sourceID: 2, fieldID: 1000)])
    static let planner = SnapshotPlanner(location: "file:///lake/pi2.db/events", schema: schema, spec: spec)

    static func file(_ name: String, day: Int32, rows: Int64) -> DataFile {
        var f = DataFile(path: "file:///lake/pi2.db/events/data/ts_day=x/\(name)", partition: [day], recordCount: rows, fileSizeInBytes: rows * 10)
        f.valueCounts = [1: rows, 2: rows]
        f.nullValueCounts = [1: 0, 2: 0]
        f.lowerBounds = [2: SingleValue.long(Int64(day) * 86_400_000_000)]
        f.upperBounds = [2: SingleValue.long(Int64(day) * 86_400_000_000 + 1)]
        return f
    }

    @Test func consecutiveAppendsChainSnapshotsAndCarryManifestsForward() throws {
        let first = try Self.planner.plan(base: nil, files: [Self.file("a", day: 20_000, rows: 5), Self.file("b", day: 20_001, rows: 7)],
                                          snapshotID: 11, summary: ["weir.kafka-offsets": "{}"], fileID: "f1", tableUUID: "u", nowMs: 1000)
        #expect(first.metadataLocation == "file:///lake/pi2.db/events/metadata/00000-f1.metadata.json")
        #expect(first.manifestListPath == "file:///lake/pi2.db/events/metadata/snap-11-1-f1.avro")
        #expect(first.snapshot.sequenceNumber == 1 && first.snapshot.parentSnapshotID == nil)
        #expect(first.snapshot.summary["added-records"] == "12" && first.snapshot.summary["total-records"] == "12")
        #expect(first.snapshot.summary["changed-partition-count"] == "2" && first.snapshot.summary["weir.kafka-offsets"] == "{}")
        #expect(first.manifests.count == 1)
        #expect(first.manifests[0].partitions == [ManifestFile.FieldSummary(containsNull: false, lowerBound: SingleValue.int(20_000),
                                                                              upperBound: SingleValue.int(20_001))])
        #expect(try ManifestEncoding.readManifestList(first.manifestListBytes) == first.manifests)

        let base = TableState(metadataLocation: first.metadataLocation, metadata: try TableMetadata.decode(first.metadataBytes),
                              manifests: first.manifests)
        #expect(base.metadata == first.metadata, "the metadata file decodes to what was planned")
        let second = try Self.planner.plan(base: base, files: [Self.file("c", day: 20_001, rows: 3)], snapshotID: 22, summary: [:],
                                           fileID: "f2", tableUUID: "ignored", nowMs: 2000)
        #expect(second.metadataLocation.hasSuffix("/00001-f2.metadata.json"))
        #expect(second.snapshot.sequenceNumber == 2 && second.snapshot.parentSnapshotID == 11)
        #expect(second.snapshot.summary["total-records"] == "15" && second.snapshot.summary["total-data-files"] == "3")
        #expect(second.manifests.map(\.addedSnapshotID) == [11, 22])
        #expect(second.manifests.map(\.sequenceNumber) == [1, 2])
        let m = second.metadata
        #expect(m.tableUUID == "u" && m.lastSequenceNumber == 2 && m.currentSnapshotID == 22)
        #expect(m.snapshots.map(\.snapshotID) == [11, 22] && m.snapshotLog.map(\.snapshotID) == [11, 22])
        #expect(m.metadataLog == [MetadataLogEntry(timestampMs: 1000, metadataFile: first.metadataLocation)])
        #expect(m.refs["main"] == SnapshotReference(snapshotID: 22, type: "branch"))

        // A retry on a newer base reuses the manifest (its entries inherit the sequence number).
        let retry = try Self.planner.plan(base: TableState(metadataLocation: second.metadataLocation, metadata: second.metadata,
                                                           manifests: second.manifests),
                                          files: [Self.file("c", day: 20_001, rows: 3)], snapshotID: 22,
                                          manifest: (second.manifestPath, Int64(second.manifestBytes.count)), summary: [:], fileID: "f3",
                                          tableUUID: "x", nowMs: 3000)
        #expect(retry.manifestBytes.isEmpty && retry.manifests.last?.path == second.manifestPath)
        #expect(retry.manifests.last?.sequenceNumber == 3)
    }

    @Test func metadataJSONHasTheSpecKeys() throws {
        let plan = try Self.planner.plan(base: nil, files: [Self.file("a", day: 1, rows: 1)], snapshotID: 5, summary: [:], fileID: "f",
                                         tableUUID: "0b5f3c1e-0000-4000-8000-000000000000", nowMs: 42)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.metadataBytes)) as? [String: Any])
        for key in ["format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms", "last-column-id", "schemas",
                    "current-schema-id", "partition-specs", "default-spec-id", "last-partition-id", "properties", "current-snapshot-id",
                    "snapshots", "snapshot-log", "metadata-log", "sort-orders", "default-sort-order-id", "refs"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["format-version"] as? Int == 2 && json["last-column-id"] as? Int == 2 && json["last-partition-id"] as? Int == 1000)
        let specs = try #require(json["partition-specs"] as? [[String: Any]])
        let field = try #require((specs.first?["fields"] as? [[String: Any]])?.first)
        #expect(field["transform"] as? String == "day" && field["source-id"] as? Int == 2 && field["field-id"] as? Int == 1000)
    }

    @Test func transformsFloorAndNameTheirValues() {
        #expect(PartitionTransform.day.apply(micros: 0) == 0)
        #expect(PartitionTransform.day.apply(micros: -1) == -1)
        #expect(PartitionTransform.day.apply(micros: 1_761_782_400_000_000) == 20_391)
        #expect(PartitionTransform.day.humanString(20_391) == "2025-10-30")
        #expect(PartitionTransform.hour.apply(micros: 1_761_782_400_000_000 + 3_600_000_000 * 13 + 5) == 20_391 * 24 + 13)
        #expect(PartitionTransform.hour.humanString(20_391 * 24 + 13) == "2025-10-30-13")
        #expect(PartitionTransform.hour.humanString(-1) == "1969-12-31-23")
    }

    @Test func singleValueBoundsFollowTheSpec() {
        #expect(SingleValue.long(1) == [1, 0, 0, 0, 0, 0, 0, 0])
        #expect(SingleValue.int(-2) == [0xfe, 0xff, 0xff, 0xff])
        #expect(SingleValue.double(1.0) == [0, 0, 0, 0, 0, 0, 0xf0, 0x3f])
        #expect(SingleValue.boolean(true) == [1])
        #expect(SingleValue.readLong(SingleValue.long(-123_456_789_012)) == -123_456_789_012)
        let long = String(repeating: "a", count: 20)
        #expect(SingleValue.truncatedLowerBound(long) == Array(String(repeating: "a", count: 16).utf8))
        #expect(SingleValue.truncatedUpperBound(long) == Array((String(repeating: "a", count: 15) + "b").utf8))
        #expect(SingleValue.truncatedUpperBound("short") == Array("short".utf8))
        #expect(SingleValue.truncatedUpperBound(String(repeating: "\u{10FFFF}", count: 17)) == nil)
    }
}
