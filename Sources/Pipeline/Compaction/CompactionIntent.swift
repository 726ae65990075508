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

    /// Records the replacement in the table (`TableRewrite.replace`; repeating it is harmless). `stagingPath`
    /// gives the path recorded as each merged file's staging place.
    /// - Throws: `StoreError`.
    func record(in table: TableRewrite, layout: LakeLayout, owner: String, stagingPath: (String) -> String) throws {
        let dir = layout.root + "/" + partition
        let added = adding.map {
            StagedFile(stagingPath: stagingPath($0.name), finalPath: dir + "/" + $0.name, hivePartition: partition,
                       rows: $0.rows, bytes: $0.bytes)
        }
        try table.replace(partition: partition, removing: removing, adding: added, owner: owner)
    }
}
