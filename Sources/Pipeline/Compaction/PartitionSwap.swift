import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// The local file system's `PartitionReplacement`: steps 2–4 of compaction for one partition, under its exclusive
/// `PartitionLock`: build the next version of the directory (hard links of every file not merged, the merged files,
/// a placeholder under each merged input's name), exchange it with the live directory atomically, and record the
/// replacement through the `TableRewrite`. An intent file written before the exchange lets the next run finish a
/// swap interrupted before that record.
///
/// Merged files are built in `workDirectory` (`build-<id>/`), which must be on the lake's file system and outside
/// the lake root; retired versions wait there (`retired-<time>-<id>/`) for `retiredGrace`.
struct PartitionSwap: PartitionReplacement {
    let layout: LakeLayout
    /// Where the replacement is recorded.
    let table: TableRewrite
    let workDirectory: String
    /// Owner recorded in the store for merged files.
    let owner: String
    let sweep: PlaceholderSweep
    /// How long retired versions are kept (`CompactionOptions.grace`).
    let retiredGrace: Duration

    /// Checks that `workDirectory` (created if missing) is on the lake's file system and outside the lake root,
    /// and that the platform has `renameat2`.
    /// - Throws: `CompactionError` naming the work directory and the fix; `POSIXError` when it cannot be created.
    init(layout: LakeLayout, table: TableRewrite, workDirectory: String, options: CompactionOptions) throws {
        self.layout = layout
        self.table = table
        self.workDirectory = workDirectory
        owner = options.owner
        retiredGrace = options.grace
        sweep = PlaceholderSweep(workDirectory: workDirectory, grace: options.placeholderGrace)
        let root = layout.root
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        var a = stat(), b = stat()
        guard stat(root, &a) == 0, stat(workDirectory, &b) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard a.st_dev == b.st_dev else {
            throw CompactionError("work directory \(workDirectory) is not on the lake's file system; pass --work-dir on the same file system, outside OUT_DIR")
        }
        let resolvedWork = URL(fileURLWithPath: workDirectory).resolvingSymlinksInPath().path + "/"
        let resolvedRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path + "/"
        guard !resolvedWork.hasPrefix(resolvedRoot) else {
            throw CompactionError("work directory \(workDirectory) is inside the lake root; glob readers would see its files")
        }
        guard DirectoryExchange.isAvailable else { throw CompactionError("renameat2 is not available on this system") }
    }

    func prepare() throws {
        try finishInterrupted()
        deleteRetired()
    }

    func skipReason(partition: String, hasSubprefixes: Bool) -> String? {
        // Subdirectories (e.g. `hour=` levels after a change of `partition_by_hour`) cannot be hard-linked into
        // the next version: such a partition is left alone (its `hour=` partitions are compacted on their own).
        hasSubprefixes ? "holds subdirectories" : nil
    }

    private func buildDirectory(id: String) -> String { workDirectory + "/build-" + id }

    func writer(id: String, name: String, schema: ParquetSchema, options: ParquetWriterOptions) throws -> ParquetFileWriter {
        try FileManager.default.createDirectory(atPath: buildDirectory(id: id), withIntermediateDirectories: true)
        return try ParquetFileWriter(path: buildDirectory(id: id) + "/" + name, schema: schema, options: options)
    }

    func discard(id: String, name: String) { try? FileManager.default.removeItem(atPath: buildDirectory(id: id) + "/" + name) }

    func replace(partition: String, merged: [MergedFile], id: String) throws {
        try run(partition: partition, merged: merged, build: buildDirectory(id: id), id: id)
    }

    func cleanUp(id: String) { try? FileManager.default.removeItem(atPath: buildDirectory(id: id)) }

    func finish() throws {
        try sweep.sweep()
        if retiredGrace <= .zero { deleteRetired() }
    }

    /// Deletes retired versions older than `retiredGrace`.
    func deleteRetired() {
        let fm = FileManager.default
        let now = Int64(Date().timeIntervalSince1970)
        let grace = retiredGrace.components.seconds
        for entry in (try? fm.contentsOfDirectory(atPath: workDirectory)) ?? [] where entry.hasPrefix("retired-") {
            let stamp = entry.split(separator: "-").dropFirst().first.flatMap { Int64($0) } ?? 0
            if now - stamp >= grace { try? fm.removeItem(atPath: workDirectory + "/" + entry) }
        }
    }

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

    /// Records a swap in the table (`TableRewrite`): the merged inputs are removed, the new files published.
    func apply(_ intent: CompactionIntent) throws {
        try intent.record(in: table, layout: layout, owner: owner, stagingPath: { workDirectory + "/" + $0 })
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
