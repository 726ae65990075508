import Iceberg

/// Which files of an Iceberg table's `metadata/` directory a crash left behind (pure): the manifest, manifest list
/// and metadata file of a commit killed before its store transaction. A file is an orphan when the table state
/// does not reference it (the current metadata file, `metadata-log`, every snapshot's manifest list, the current
/// manifests) and no live writer may still be committing it: the writer's instance id is part of every metadata
/// file name Weir writes. Metadata files older than the oldest one `metadata-log` keeps are history, not orphans.
enum IcebergOrphans {
    /// - Parameters:
    ///   - names: the file names in `metadata/` (last path component).
    ///   - state: the table as the catalog pointer says; nil when it has none yet.
    ///   - liveWriters: instance ids of writers that are alive (this one included).
    ///   - listedManifests: the manifest names (last components) every snapshot's manifest list names; asked only
    ///     when a manifest the current snapshot does not list would otherwise be an orphan (it reads every list).
    static func metadataOrphans(names: [String], state: TableState?, liveWriters: Set<String>,
                                listedManifests: () throws -> Set<String>) rethrows -> [String] {
        var referenced: Set<String> = []
        var floor = 0
        if let state {
            let logged = [state.metadataLocation] + state.metadata.metadataLog.map(\.metadataFile)
            referenced.formUnion(logged.map(lastComponent))
            referenced.formUnion(state.metadata.snapshots.map { lastComponent($0.manifestList) })
            referenced.formUnion(state.manifests.map { lastComponent($0.path) })
            floor = logged.map(SnapshotPlanner.version(of:)).min() ?? 0
        }
        let candidates = names.filter { name in
            guard !referenced.contains(name), !liveWriters.contains(where: { name.contains($0) }) else { return false }
            return !name.hasSuffix(".metadata.json") || SnapshotPlanner.version(of: name) >= floor
        }
        let isManifest = { (name: String) in name.hasSuffix(".avro") && !name.hasPrefix("snap-") }
        guard state != nil, candidates.contains(where: isManifest) else { return candidates }
        let listed = try listedManifests()
        return candidates.filter { !isManifest($0) || !listed.contains($0) }
    }

    /// `metadataOrphans` of a table whose snapshots list no manifest besides the current ones (no replace or merge).
    static func metadataOrphans(names: [String], state: TableState?, liveWriters: Set<String>) -> [String] {
        metadataOrphans(names: names, state: state, liveWriters: liveWriters) { [] }
    }

    static func lastComponent(_ location: String) -> String {
        location.split(separator: "/").last.map(String.init) ?? location
    }
}
