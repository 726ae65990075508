/// Snapshot expiry (Iceberg's `expire_snapshots`), pure: which snapshots go, the metadata without them, and which
/// files only they reached.
///
/// A snapshot is kept when it is the current one, when a ref (branch or tag) names it, when it is one of the
/// `retainLast` most recent snapshots of the current snapshot's ancestry, or when it is younger than
/// `olderThanMs`; every other snapshot expires. A file may be deleted once no kept snapshot reaches it:
/// the manifest lists of expired snapshots, their manifests that no kept snapshot lists, and the data files live
/// in those manifests that are live in no kept snapshot's manifests (reachability over all kept snapshots, so a
/// data file shared by an expired and a kept snapshot stays).
public struct SnapshotExpiry: Sendable, Equatable {
    /// The snapshots that expire, oldest first.
    public let expired: [Snapshot]
    /// The table metadata without them (snapshot log cut accordingly, the previous metadata file logged).
    public let metadata: TableMetadata

    /// - Parameters:
    ///   - metadata: the table's current metadata, read from `metadataLocation`.
    ///   - nowMs: the time of the expiry, milliseconds since the epoch.
    ///   - olderThanMs: snapshots committed before this time (ms since the epoch) may expire.
    ///   - retainLast: how many of the most recent ancestors of the current snapshot (itself included) stay
    ///     whatever their age; at least 1.
    public init(metadata: TableMetadata, metadataLocation: String, nowMs: Int64, olderThanMs: Int64, retainLast: Int) {
        var keep = Set(metadata.refs.values.map(\.snapshotID))
        let byID = Dictionary(metadata.snapshots.map { ($0.snapshotID, $0) }, uniquingKeysWith: { a, _ in a })
        var ancestor = metadata.currentSnapshotID
        var retained = 0
        while let id = ancestor, let snapshot = byID[id], retained < max(1, retainLast) {
            keep.insert(id)
            retained += 1
            ancestor = snapshot.parentSnapshotID
        }
        for s in metadata.snapshots where s.timestampMs >= olderThanMs { keep.insert(s.snapshotID) }
        expired = metadata.snapshots.filter { !keep.contains($0.snapshotID) }
        var next = metadata
        guard !expired.isEmpty else {
            self.metadata = metadata
            return
        }
        next.snapshots = metadata.snapshots.filter { keep.contains($0.snapshotID) }
        next.snapshotLog = metadata.snapshotLog.filter { keep.contains($0.snapshotID) }
        next.lastUpdatedMs = max(metadata.lastUpdatedMs, nowMs)
        self.metadata = next.logging(metadataLocation, at: metadata.lastUpdatedMs)
    }

    /// Files that only expired snapshots reach.
    public struct Unreachable: Sendable, Equatable {
        /// Manifest list locations (as the metadata writes them, e.g. `file:///…/snap-….avro` or `s3://…`).
        public var manifestLists: [String] = []
        /// Manifest locations that no kept snapshot's manifest list names.
        public var manifests: [String] = []
        /// Data file locations live in an expired snapshot and in no kept one.
        public var dataFiles: [String] = []
    }

    /// The files to delete once the expiry is committed.
    /// - Parameters:
    ///   - manifestsOf: the manifest list entries of a snapshot (its manifest list read).
    ///   - entriesOf: the entries of a manifest (read once per manifest by the caller if it caches).
    /// - Throws: what the readers throw.
    public func unreachable(kept: [Snapshot], manifestsOf: (Snapshot) throws -> [ManifestFile],
                            entriesOf: (ManifestFile) throws -> [ManifestEntry]) throws -> Unreachable {
        var out = Unreachable()
        let keptLists = Set(kept.map(\.manifestList))
        var keptManifests: [String: ManifestFile] = [:]
        for s in kept { for m in try manifestsOf(s) { keptManifests[m.path] = m } }
        var candidates: [String: ManifestFile] = [:]
        for s in expired {
            if !keptLists.contains(s.manifestList) { out.manifestLists.append(s.manifestList) }
            for m in try manifestsOf(s) where keptManifests[m.path] == nil { candidates[m.path] = m }
        }
        out.manifests = candidates.keys.sorted()
        guard !candidates.isEmpty else { return out }
        var live: Set<String> = []
        for m in keptManifests.values { for e in try entriesOf(m) where e.isLive { live.insert(e.file.path) } }
        var dead: Set<String> = []
        for m in candidates.values { for e in try entriesOf(m) where !live.contains(e.file.path) { dead.insert(e.file.path) } }
        out.dataFiles = dead.sorted()
        return out
    }
}
