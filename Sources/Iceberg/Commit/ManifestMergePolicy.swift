/// When a commit merges manifests, so that the number of manifests a snapshot references stays bounded however
/// many commits the table gets. The table properties of Iceberg's Java writer, with its defaults:
///
/// - `commit.manifest-merge.enabled` (`true`);
/// - `commit.manifest.min-count-to-merge` (100): merging starts once a snapshot would reference more manifests;
/// - `commit.manifest.target-size-bytes` (8 MiB): manifests at or above it are left alone, and merged ones are
///   packed up to it.
///
/// Pure: `bins` picks the manifests to merge; `SnapshotPlanner` merges them.
public struct ManifestMergePolicy: Sendable, Equatable {
    /// `commit.manifest-merge.enabled`; false: every commit adds one manifest and nothing is merged. Default true.
    public var enabled = true
    /// `commit.manifest.min-count-to-merge`: merging starts once a snapshot would reference more manifests than
    /// this. Default 100.
    public var minCountToMerge = 100
    /// `commit.manifest.target-size-bytes`, in bytes: manifests at or above it are not merged, merged ones are packed
    /// up to it. Default 8 MiB.
    public var targetSizeBytes: Int64 = 8 << 20

    /// The defaults above (Iceberg's Java writer's).
    public init() {}

    /// The policy a table's properties set; a missing or unparsable value keeps the default.
    public init(properties: [String: String]) {
        if let v = properties["commit.manifest-merge.enabled"] { enabled = v.lowercased() != "false" }
        if let v = properties["commit.manifest.min-count-to-merge"].flatMap(Int.init), v >= 0 { minCountToMerge = v }
        if let v = properties["commit.manifest.target-size-bytes"].flatMap(Int64.init), v > 0 { targetSizeBytes = v }
    }

    /// Which of `manifests` (the current snapshot's, in list order) to merge, as groups of indices: one merged
    /// manifest per group. Nothing when merging is off or `manifests.count + adding` (the new snapshot's count) is
    /// at most `minCountToMerge`. Otherwise the manifests of `specID` below the target size are packed in order into
    /// groups of at most `targetSizeBytes` (a group always takes at least one); groups of one are dropped.
    public func bins(_ manifests: [ManifestFile], adding: Int, specID: Int32) -> [[Int]] {
        guard enabled, manifests.count + adding > minCountToMerge else { return [] }
        var bins: [[Int]] = []
        var current: [Int] = []
        var bytes: Int64 = 0
        for (i, m) in manifests.enumerated() where m.specID == specID && m.length < targetSizeBytes {
            if !current.isEmpty && bytes + m.length > targetSizeBytes {
                bins.append(current)
                current = []
                bytes = 0
            }
            current.append(i)
            bytes += m.length
        }
        if !current.isEmpty { bins.append(current) }
        return bins.filter { $0.count >= 2 }
    }
}

extension SnapshotPlanner {
    /// `manifests` with each group `policy.bins` picks merged into one new manifest written by `snapshotID`: its
    /// entries are the groups' live files as `existing` (snapshot ids and sequence numbers kept); deleted entries,
    /// which only mattered to the snapshot that deleted them, are dropped. A merged manifest takes the place of its
    /// group's first manifest; a group with a manifest `read` fails on is left unmerged (merging never fails a
    /// commit). Returns the new list and the manifests to write (`<pathPrefix>-m<k>.avro`, k ≥ 1).
    func mergedManifests(_ manifests: [ManifestFile], adding: Int, policy: ManifestMergePolicy, snapshotID: Int64, sequenceNumber: Int64,
                         schema: IcebergSchema, pathPrefix: String,
                         read: (ManifestFile) throws -> [ManifestEntry]) throws -> ([ManifestFile], [WrittenManifest]) {
        let bins = policy.bins(manifests, adding: adding, specID: spec.specID)
        guard !bins.isEmpty else { return (manifests, []) }
        var replacement: [Int: ManifestFile] = [:]
        var dropped: Set<Int> = []
        var written: [WrittenManifest] = []
        for (k, bin) in bins.enumerated() {
            // Merging only saves readers work: a group with a manifest that cannot be read (one another engine wrote
            // in a shape Weir does not read, say) stays as it is rather than fail the commit.
            guard let read = try? bin.flatMap({ try read(manifests[$0]) }) else { continue }
            let entries = read.filter(\.isLive).map(\.carried)
            let path = pathPrefix + "-m\(k + 1).avro"
            let bytes = try ManifestEncoding.manifest(entries: entries, schema: schema, spec: spec)
            written.append(WrittenManifest(path: path, bytes: bytes))
            replacement[bin[0]] = ManifestFile.describing(entries, path: path, length: Int64(bytes.count), spec: spec,
                                                          sequenceNumber: sequenceNumber, snapshotID: snapshotID)
            dropped.formUnion(bin.dropFirst())
        }
        let list = manifests.indices.compactMap { i in dropped.contains(i) ? nil : (replacement[i] ?? manifests[i]) }
        return (list, written)
    }
}

extension ManifestFile {
    /// The manifest list entry of a manifest holding `entries`, added to the table by `snapshotID` with
    /// `sequenceNumber`: counts per status, the smallest data sequence number of its live files (its own when it
    /// has none, or for entries that inherit it) and the partition summaries of every entry's file.
    static func describing(_ entries: [ManifestEntry], path: String, length: Int64, spec: PartitionSpec, sequenceNumber: Int64,
                           snapshotID: Int64) -> ManifestFile {
        func of(_ s: ManifestEntry.Status) -> [ManifestEntry] { entries.filter { $0.status == s } }
        let added = of(.added), existing = of(.existing), deleted = of(.deleted)
        let minSequence = entries.filter(\.isLive).map { $0.sequenceNumber ?? sequenceNumber }.min() ?? sequenceNumber
        var m = ManifestFile(path: path, length: length, specID: spec.specID, sequenceNumber: sequenceNumber, minSequenceNumber: minSequence,
                             addedSnapshotID: snapshotID, addedFilesCount: Int32(added.count),
                             addedRowsCount: added.reduce(0) { $0 + $1.file.recordCount },
                             partitions: SnapshotPlanner.partitionSummaries(entries.map(\.file), spec: spec))
        m.existingFilesCount = Int32(existing.count)
        m.existingRowsCount = existing.reduce(0) { $0 + $1.file.recordCount }
        m.deletedFilesCount = Int32(deleted.count)
        m.deletedRowsCount = deleted.reduce(0) { $0 + $1.file.recordCount }
        return m
    }
}
