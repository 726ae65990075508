import Iceberg
import Testing
@testable import Pipeline

/// Which metadata files recovery deletes, decided without I/O.
@Suite struct IcebergOrphansTests {
    static func state() throws -> TableState {
        let schema = IcebergSchema(fields: [IcebergField(id: 1, name: "ts", required: true, type: .timestamptz)])
        let spec = PartitionSpec(fields: [PartitionField(name: "ts_day", transform: .day, sourceID: 1, fieldID: 1000)])
        let planner = SnapshotPlanner(location: "file:///l/t", schema: schema, spec: spec)
        let file = DataFile(path: "file:///l/t/data/a.parquet", partition: [1], recordCount: 1, fileSizeInBytes: 1)
        let first = try planner.plan(base: nil, files: [file], snapshotID: 1, summary: [:], fileID: "aaaaaaaaaaaa-u1", tableUUID: "t", nowMs: 1)
        let base = TableState(metadataLocation: first.metadataLocation, metadata: first.metadata, manifests: first.manifests)
        let second = try planner.plan(base: base, files: [file], snapshotID: 2, summary: [:], fileID: "aaaaaaaaaaaa-u2", tableUUID: "t", nowMs: 2)
        return TableState(metadataLocation: second.metadataLocation, metadata: second.metadata, manifests: second.manifests)
    }

    @Test func unreferencedFilesOfDeadWritersAreOrphans() throws {
        let state = try Self.state()
        let referenced = ["00000-aaaaaaaaaaaa-u1.metadata.json", "00001-aaaaaaaaaaaa-u2.metadata.json", "snap-1-1-aaaaaaaaaaaa-u1.avro",
                          "snap-2-2-aaaaaaaaaaaa-u2.avro", "aaaaaaaaaaaa-u1-m0.avro", "aaaaaaaaaaaa-u2-m0.avro"]
        let deadWriters = ["00002-bbbbbbbbbbbb-u3.metadata.json", "snap-3-3-bbbbbbbbbbbb-u3.avro", "bbbbbbbbbbbb-u3-m0.avro"]
        let liveWriter = ["00002-cccccccccccc-u4.metadata.json", "cccccccccccc-u4-m0.avro"]
        let orphans = IcebergOrphans.metadataOrphans(names: referenced + deadWriters + liveWriter, state: state, liveWriters: ["cccccccccccc"])
        #expect(Set(orphans) == Set(deadWriters))
    }

    @Test func withoutAPointerEveryDeadWritersFileIsAnOrphan() {
        let names = ["00000-bbbbbbbbbbbb-u.metadata.json", "bbbbbbbbbbbb-u-m0.avro", "00000-cccccccccccc-v.metadata.json"]
        #expect(IcebergOrphans.metadataOrphans(names: names, state: nil, liveWriters: ["cccccccccccc"]) == Array(names.prefix(2)))
    }

    @Test func metadataFilesOlderThanTheLogAreHistoryNotOrphans() throws {
        var state = try Self.state()
        var metadata = state.metadata
        metadata.metadataLog = []  // as if the log had dropped the first file
        state = TableState(metadataLocation: state.metadataLocation, metadata: metadata, manifests: state.manifests)
        #expect(IcebergOrphans.metadataOrphans(names: ["00000-aaaaaaaaaaaa-u1.metadata.json"], state: state, liveWriters: []).isEmpty)
    }

    /// After a replace or a manifest merge an older snapshot may list a manifest the current one does not: it is
    /// time travel's, not an orphan. The manifest lists are read only when such a candidate exists.
    @Test func manifestsOnlyOlderSnapshotsListAreNotOrphans() throws {
        var state = try Self.state()
        state = TableState(metadataLocation: state.metadataLocation, metadata: state.metadata, manifests: [state.manifests[1]])
        var asked = 0
        let orphans = IcebergOrphans.metadataOrphans(names: ["aaaaaaaaaaaa-u1-m0.avro", "bbbbbbbbbbbb-u3-m0.avro"], state: state,
                                                     liveWriters: []) {
            asked += 1
            return ["aaaaaaaaaaaa-u1-m0.avro", "aaaaaaaaaaaa-u2-m0.avro"]
        }
        #expect(orphans == ["bbbbbbbbbbbb-u3-m0.avro"] && asked == 1)
        var unasked = 0
        _ = IcebergOrphans.metadataOrphans(names: ["00002-bbbbbbbbbbbb-u3.metadata.json"], state: state, liveWriters: []) {
            unasked += 1
            return []
        }
        #expect(unasked == 0)
    }

    /// `weir maintain`'s orphans: unreferenced, older than the grace and not a live writer's; metadata files older
    /// than the log's oldest whatever their age.
    @Test func orphanScanKeepsReferencedYoungAndLiveWritersFiles() {
        let t = "t/metadata/", d = "t/data/ts_day=2025-11-01/"
        let listed: [TableOrphanScan.Listed] = [
            .init(name: t + "00005-aaaaaaaaaaaa-u.metadata.json", modifiedAt: 10),  // referenced (current)
            .init(name: t + "00002-aaaaaaaaaaaa-u.metadata.json", modifiedAt: 990),  // below the log: history, deleted though young
            .init(name: t + "00006-bbbbbbbbbbbb-u.metadata.json", modifiedAt: 990),  // a commit in flight: young
            .init(name: t + "bbbbbbbbbbbb-x-m0.avro", modifiedAt: 10),  // old, dead writer
            .init(name: t + "cccccccccccc-x-m0.avro", modifiedAt: 10),  // old, but its writer is alive
            .init(name: d + "part-20251101T000000-bbbbbbbbbbbb-000001.parquet", modifiedAt: 10),  // old data file, dead writer
            .init(name: d + "part-20251101T000000-aaaaaaaaaaaa-000001.parquet", modifiedAt: 10),  // referenced
        ]
        let orphans = TableOrphanScan.orphans(
            listed: listed, referenced: [t + "00005-aaaaaaaaaaaa-u.metadata.json", d + "part-20251101T000000-aaaaaaaaaaaa-000001.parquet"],
            oldestLoggedVersion: 3, notAfter: 500, liveWriters: ["cccccccccccc"])
        #expect(orphans == [t + "00002-aaaaaaaaaaaa-u.metadata.json", t + "bbbbbbbbbbbb-x-m0.avro",
                            d + "part-20251101T000000-bbbbbbbbbbbb-000001.parquet"])
    }
}
