/// A replace commit could not be planned because the table changed under it: a file to replace is no longer part
/// of the current snapshot (another compaction replaced it, or it was never there).
public struct ReplaceConflict: Error, Sendable, CustomStringConvertible {
    public let missing: [String]
    public var description: String {
        "\(missing.count) file(s) to replace are not in the table's current snapshot (another writer replaced them): "
            + missing.prefix(3).joined(separator: ", ")
    }
}

extension SnapshotPlanner {
    /// Plans a `replace` snapshot (table spec, "Snapshots": data files rewritten, the table's rows unchanged) on top
    /// of `base`: the data files `removing` (full URIs) leave the table and `adding` take their place. Compaction
    /// commits one; readers of the new snapshot see the merged files, time travel to the previous one still reads the
    /// inputs (they are deleted only when snapshot expiry finds them unreachable).
    ///
    /// - The manifests holding an input are rewritten into one manifest (`<fileID>-m1.avro`): the inputs as
    ///   `deleted` by the new snapshot, the other live files as `existing`, every snapshot id and sequence number
    ///   kept (deleted entries of earlier snapshots are dropped). Manifests without an input are carried as they are.
    /// - The outputs go to a new manifest (`<fileID>-m0.avro`, `SnapshotPlan.manifestPath`) as `added`, inheriting
    ///   the new snapshot's sequence number (the table has no delete files, so no older sequence number is needed).
    /// - The summary has `operation: replace`, the added and deleted counts, unchanged totals of records, and the
    ///   previous snapshot's `weir.*` keys (the Kafka offsets and watermark the table covers do not change).
    /// The table's current schema is kept; the metadata file is the next version.
    /// - Throws: `ReplaceConflict` when an input is not a live file of `base`'s current snapshot; `AvroError` from
    ///   `readManifest` or the encoder.
    public func planReplace(base: TableState, removing: Set<String>, adding: [DataFile], snapshotID: Int64, fileID: String, nowMs: Int64,
                            summary extra: [String: String] = [:],
                            readManifest: (ManifestFile) throws -> [ManifestEntry]) throws -> SnapshotPlan {
        let metadata = base.metadata
        let schema = metadata.currentSchema ?? self.schema
        let sequence = metadata.lastSequenceNumber + 1
        let metadataDir = metadata.location + "/metadata/"
        var kept: [ManifestFile] = []
        var rewritten: [ManifestEntry] = []
        var found: Set<String> = []
        for manifest in base.manifests {
            let entries = try readManifest(manifest)
            let hits = entries.filter { $0.isLive && removing.contains($0.file.path) }
            guard !hits.isEmpty else { kept.append(manifest); continue }
            found.formUnion(hits.map(\.file.path))
            rewritten += entries.filter(\.isLive).map { removing.contains($0.file.path) ? $0.deleted(by: snapshotID) : $0.carried }
        }
        guard found == removing else { throw ReplaceConflict(missing: removing.subtracting(found).sorted()) }
        var written: [WrittenManifest] = []
        if !rewritten.isEmpty {
            let path = metadataDir + fileID + "-m1.avro"
            let bytes = try ManifestEncoding.manifest(entries: rewritten, schema: schema, spec: spec)
            written.append(WrittenManifest(path: path, bytes: bytes))
            kept.append(ManifestFile.describing(rewritten, path: path, length: Int64(bytes.count), spec: spec, sequenceNumber: sequence,
                                                snapshotID: snapshotID))
        }
        let addedPath = metadataDir + fileID + "-m0.avro"
        let addedEntries = adding.map { ManifestEntry.added($0, snapshotID: snapshotID) }
        let addedBytes = try ManifestEncoding.manifest(entries: addedEntries, schema: schema, spec: spec)
        let manifests = kept + [ManifestFile.describing(addedEntries, path: addedPath, length: Int64(addedBytes.count), spec: spec,
                                                        sequenceNumber: sequence, snapshotID: snapshotID)]
        let parent = metadata.currentSnapshotID
        let listPath = metadataDir + "snap-\(snapshotID)-\(sequence)-\(fileID).avro"
        let listBytes = try ManifestEncoding.manifestList(manifests, snapshotID: snapshotID, parentSnapshotID: parent, sequenceNumber: sequence)
        let removed = rewritten.filter { $0.status == .deleted }.map(\.file)
        let previous = metadata.currentSnapshot?.summary ?? [:]
        var summary = Self.replaceSummary(added: adding, removed: removed, previous: previous)
        for (k, v) in previous where k.hasPrefix("weir.") { summary[k] = v }
        summary.merge(extra) { _, new in new }
        let snapshot = Snapshot(snapshotID: snapshotID, parentSnapshotID: parent, sequenceNumber: sequence, timestampMs: nowMs,
                                manifestList: listPath, summary: summary, schemaID: metadata.currentSchemaID)
        let next = metadata.appending(snapshot, previousFile: base.metadataLocation)
        let metadataLocation = metadataDir + Self.pad(Self.version(of: base.metadataLocation) + 1) + "-\(fileID).metadata.json"
        var plan = SnapshotPlan(snapshot: snapshot, metadata: next, manifests: manifests, manifestPath: addedPath, manifestBytes: addedBytes,
                                manifestListPath: listPath, manifestListBytes: listBytes, metadataLocation: metadataLocation,
                                metadataBytes: try next.encoded())
        plan.extraManifests = written
        return plan
    }

    /// The spec's summary of a replace: what it added and deleted, and the totals after it.
    static func replaceSummary(added: [DataFile], removed: [DataFile], previous: [String: String]) -> [String: String] {
        func rows(_ f: [DataFile]) -> Int64 { f.reduce(0) { $0 + $1.recordCount } }
        func bytes(_ f: [DataFile]) -> Int64 { f.reduce(0) { $0 + $1.fileSizeInBytes } }
        func total(_ key: String, _ delta: Int64) -> String { String((Int64(previous[key] ?? "0") ?? 0) + delta) }
        return [
            "operation": "replace",
            "added-data-files": String(added.count), "deleted-data-files": String(removed.count),
            "added-records": String(rows(added)), "deleted-records": String(rows(removed)),
            "added-files-size": String(bytes(added)), "removed-files-size": String(bytes(removed)),
            "changed-partition-count": String(Set((added + removed).map(\.partition)).count),
            "total-data-files": total("total-data-files", Int64(added.count - removed.count)),
            "total-records": total("total-records", rows(added) - rows(removed)),
            "total-files-size": total("total-files-size", bytes(added) - bytes(removed)),
            "total-delete-files": "0", "total-position-deletes": "0", "total-equality-deletes": "0",
        ]
    }
}
