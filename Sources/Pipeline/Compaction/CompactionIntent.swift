/// A replacement about to become visible: written before the first step readers can see (the directory exchange,
/// or the first placeholder), so that a crash before the store update is finished by the next run.
struct CompactionIntent: Codable {
    struct Added: Codable {
        let name: String
        let rows: Int64
        let bytes: Int64
    }
    let partition: String
    /// The merged inputs' final paths (`layout.root + "/" + name`), as the store records them.
    let removing: [String]
    let adding: [Added]

    /// Records the replacement in the store: the inputs still listed as published are removed, the merged files
    /// not yet listed are added and marked published, in one transaction (`replaceFiles`). Repeating it is
    /// harmless. `stagingPath` gives the path recorded as each merged file's staging place.
    /// - Throws: `StoreError`.
    func record(in store: CheckpointStore, layout: LakeLayout, owner: String, stagingPath: (String) -> String) throws {
        let dir = layout.root + "/" + partition
        let stillPublished = Set(try store.publishedFiles(hivePartition: partition).map(\.finalPath))
        let removing = self.removing.filter { stillPublished.contains($0) }
        let adding = self.adding.filter { !stillPublished.contains(dir + "/" + $0.name) }.map {
            StagedFile(stagingPath: stagingPath($0.name), finalPath: dir + "/" + $0.name, hivePartition: partition,
                       rows: $0.rows, bytes: $0.bytes)
        }
        guard !removing.isEmpty || !adding.isEmpty else { return }
        let commitID = try store.replaceFiles(removing: removing, adding: adding, owner: owner)
        try store.markPublished(commitIDs: [commitID])
    }
}
