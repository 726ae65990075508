import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files merged in a build directory: the new file's name, the inputs it replaces, its rows and bytes.
typealias MergedFile = (name: String, inputs: [String], rows: Int64, bytes: Int64)

/// Steps 2–4 of compaction for one partition, under its exclusive `PartitionLock`: build the next version of the
/// directory (hard links of every file not merged, the merged files, a placeholder under each merged input's name),
/// exchange it with the live directory atomically, and record the replacement in the store. An intent file
/// written before the exchange lets the next run finish a swap interrupted before the store update.
struct PartitionSwap {
    let layout: LakeLayout
    let store: CheckpointStore
    let workDirectory: String
    /// Owner recorded in the store for merged files.
    let owner: String
    let sweep: PlaceholderSweep

    /// Swaps `merged` (built in `build`) into `partition`, in place of their inputs. `id` names this swap's work files.
    func run(partition: String, merged: [MergedFile], build: String, id: String) throws {
        let fm = FileManager.default
        let dir = layout.root + "/" + partition
        let removed = Set(merged.flatMap(\.inputs))
        try PartitionLock.with(layout: layout, hivePartition: partition, exclusive: true) {
            let next = workDirectory + "/next-" + id
            try fm.createDirectory(atPath: next, withIntermediateDirectories: false)
            let current = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            for name in current where !removed.contains(name) {
                guard link(dir + "/" + name, next + "/" + name) == 0 else {
                    throw CompactionError("cannot link \(dir)/\(name) into the next version: \(String(cString: strerror(errno)))")
                }
            }
            for m in merged {
                guard rename(build + "/" + m.name, next + "/" + m.name) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                for input in m.inputs { try CompactionPlaceholder.write(at: next + "/" + input, mergedInto: m.name) }
            }
            try DurableFile.sync(path: next)
            // The merged inputs' final paths: the store rows to remove, and the placeholders to sweep later. The
            // pending list is written before the swap, so that a crash right after it still gets its placeholders
            // swept, and again after it with the exact publication time the grace is measured from.
            let inputPaths = removed.sorted().map { dir + "/" + $0 }
            try sweep.record(PendingPlaceholders(paths: inputPaths, publishedAtMillis: PendingPlaceholders.now()), id: id)
            let intent = CompactionIntent(partition: partition, removing: inputPaths,
                                          adding: merged.map { .init(name: $0.name, rows: $0.rows, bytes: $0.bytes) })
            let intentPath = workDirectory + "/intent-" + id + ".json"
            try DurableFile.writeAtomically(Array(try JSONEncoder().encode(intent)), to: intentPath)
            try DirectoryExchange.exchange(dir, next)
            try DurableFile.sync(path: (dir as NSString).deletingLastPathComponent)
            try sweep.record(PendingPlaceholders(paths: inputPaths, publishedAtMillis: PendingPlaceholders.now()), id: id)
            let retired = workDirectory + "/retired-\(Int64(Date().timeIntervalSince1970))-" + id
            guard rename(next, retired) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            try DurableFile.sync(path: workDirectory)
            try apply(intent)
            try? fm.removeItem(atPath: intentPath)
        }
    }

    /// Records a swap in the store: the merged inputs are removed, the new files published.
    func apply(_ intent: CompactionIntent) throws {
        let dir = layout.root + "/" + intent.partition
        let stillPublished = Set(try store.publishedFiles(hivePartition: intent.partition).map(\.finalPath))
        let removing = intent.removing.filter { stillPublished.contains($0) }
        let adding = intent.adding.filter { !stillPublished.contains(dir + "/" + $0.name) }.map {
            StagedFile(stagingPath: workDirectory + "/" + $0.name, finalPath: dir + "/" + $0.name, hivePartition: intent.partition,
                       rows: $0.rows, bytes: $0.bytes)
        }
        guard !removing.isEmpty || !adding.isEmpty else { return }
        let commitID = try store.replaceFiles(removing: removing, adding: adding, owner: owner)
        try store.markPublished(commitIDs: [commitID])
    }

    /// Finishes swaps interrupted between the exchange and the store update, and drops unfinished builds.
    func finishInterrupted() throws {
        let fm = FileManager.default
        for entry in ((try? fm.contentsOfDirectory(atPath: workDirectory)) ?? []).sorted() {
            let path = workDirectory + "/" + entry
            if entry.hasPrefix("intent-") && entry.hasSuffix(".json") {
                guard let data = fm.contents(atPath: path), let intent = try? JSONDecoder().decode(CompactionIntent.self, from: data) else {
                    try? fm.removeItem(atPath: path)
                    continue
                }
                let dir = layout.root + "/" + intent.partition
                // The exchange happened iff the merged files are live.
                if intent.adding.allSatisfy({ DurableFile.exists(dir + "/" + $0.name) }) { try apply(intent) }
                try? fm.removeItem(atPath: path)
            } else if entry.hasPrefix("build-") || entry.hasPrefix("next-") {
                try? fm.removeItem(atPath: path)
            }
        }
    }
}
