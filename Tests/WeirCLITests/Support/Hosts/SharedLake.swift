import Foundation

/// The lake every test host writes to. Today a directory: the hosts are namespaces of one machine and share its
/// file system. A bucket on an object store listening on the hosts' service address would change only this type:
/// the `--out-dir` it hands out, how the oracle reads it, how it lists the data files and names the manifest's.
struct SharedLake: Sendable {
    /// What `weir run --out-dir` gets.
    let location: String

    init(directory: String) { location = directory }

    /// DuckDB's and pyarrow's view of the lake (`lake_stats.py`).
    func stats() async throws -> LakeStats { try await LakeStats.of(location) }

    /// A path of the store's manifest (`files.final_path`: the lake root and the file's name) as a name in the lake.
    func name(ofManifestPath path: String) -> String {
        path.hasPrefix(location + "/") ? String(path.dropFirst(location.count + 1)) : path
    }

    /// The data files in the lake's `date=` partitions, relative to the lake root (staging and state excluded).
    func dataFiles() -> Set<String> {
        let walker = FileManager.default.enumerator(atPath: location)
        var files: Set<String> = []
        while let path = walker?.nextObject() as? String {
            if path.hasSuffix(".parquet") && !path.hasPrefix("_weir/") { files.insert(path) }
        }
        return files
    }
}
