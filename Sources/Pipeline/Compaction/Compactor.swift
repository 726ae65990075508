import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// The compaction of a Hive partition, safe while `weir run` publishes into it.
///
/// Readers glob `OUT_DIR/**/*.parquet`; to move from the small files to the merged file without a moment when
/// both (duplicates) or neither (misses) are listed, the whole partition directory is swapped:
///
/// 1. outside the locks, the small files are merged into new files in the work directory;
/// 2. under the partition's exclusive `PartitionLock` (publishers take it shared around their rename), the next
///    version of the directory is built in the work directory — hard links of every current file that was not
///    merged, plus the merged files — and fsynced;
/// 3. `renameat2(RENAME_EXCHANGE)` swaps it with the live directory atomically; the old version now sits in the
///    work directory, outside the lake, and is deleted after a grace period;
/// 4. still under the lock, one store transaction replaces the merged files' records by the new files';
/// 5. after `placeholderGrace`, the placeholders left under the merged inputs' names in the new version are
///    deleted (they make a reader that listed the old version fail loudly instead of silently missing rows; see
///    `CompactionPlaceholder`).
///
/// A crash between 3 and 4 is finished by the next run from the intent file written before 3; a crash before 5
/// leaves a pending-placeholders file that the next run sweeps. The parts: `CompactionPlan` decides which files
/// merge (pure), `merge` rewrites them, `PartitionSwap` does steps 2–4 and `PlaceholderSweep` step 5.
public final class Compactor: @unchecked Sendable {
    public let layout: LakeLayout
    private let store: CheckpointStore
    public let options: CompactionOptions
    public let workDirectory: String
    private var sweep: PlaceholderSweep { PlaceholderSweep(workDirectory: workDirectory, grace: options.placeholderGrace) }
    private var swap: PartitionSwap {
        PartitionSwap(layout: layout, store: store, workDirectory: workDirectory, owner: options.owner, sweep: sweep)
    }

    public init(layout: LakeLayout, store: CheckpointStore, options: CompactionOptions) throws {
        self.layout = layout
        self.store = store
        self.options = options
        let root = layout.root
        let parent = (root as NSString).deletingLastPathComponent
        workDirectory = options.workDirectory ?? parent + "/." + (root as NSString).lastPathComponent + ".weir-work"
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

    /// Hive partition directories (relative) with Parquet files: every `date=*` (and `date=*/hour=*`) under the
    /// root, or only those of `date` (YYYY-MM-DD).
    public func partitions(date: String? = nil) -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        let top = ((try? fm.contentsOfDirectory(atPath: layout.root)) ?? []).filter { $0.hasPrefix("date=") }.sorted()
        for d in top where date == nil || d == "date=" + date! {
            let sub = ((try? fm.contentsOfDirectory(atPath: layout.root + "/" + d)) ?? []).sorted()
            if sub.contains(where: { $0.hasSuffix(".parquet") }) { out.append(d) }
            for h in sub where h.hasPrefix("hour=") { out.append(d + "/" + h) }
        }
        return out
    }

    /// Compacts every selected partition.
    public func compactAll(date: String? = nil) throws -> [PartitionCompaction] {
        let global = try PartitionLock(layout: layout, hivePartition: "_compaction", exclusive: true)
        defer { withExtendedLifetime(global) {} }
        try swap.finishInterrupted()
        deleteRetired()
        var results: [PartitionCompaction] = []
        for partition in partitions(date: date) { results.append(try compactLocked(partition: partition)) }
        try sweepPlaceholders()
        return results
    }

    /// Compacts one partition (relative directory).
    public func compact(partition: String) throws -> PartitionCompaction {
        let global = try PartitionLock(layout: layout, hivePartition: "_compaction", exclusive: true)
        defer { withExtendedLifetime(global) {} }
        try swap.finishInterrupted()
        deleteRetired()
        let result = try compactLocked(partition: partition)
        try sweepPlaceholders()
        return result
    }

    private func compactLocked(partition: String) throws -> PartitionCompaction {
        let fm = FileManager.default
        let dir = layout.root + "/" + partition
        var report = PartitionCompaction(partition: partition)
        let published = Set(try store.publishedFiles(hivePartition: partition).map(\.finalPath))
        let entries = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
        // Data files only: placeholders left by an earlier run (killed during its grace) also end in `.parquet`.
        let listed = entries.filter { $0.hasSuffix(".parquet") && !CompactionPlaceholder.isPlaceholder(dir + "/" + $0) }.sorted()
        // A partition that also holds subdirectories (e.g. `hour=` levels after a change of `partition_by_hour`)
        // cannot be swapped: its subdirectories cannot be hard-linked into the next version. Left alone.
        if entries.contains(where: { var d: ObjCBool = false; return fm.fileExists(atPath: dir + "/" + $0, isDirectory: &d) && d.boolValue }) {
            report.filesBefore = listed.count
            report.filesAfter = listed.count
            report.skipped = "holds subdirectories"
            return report
        }
        var sizes: [String: Int64] = [:]
        for name in listed { sizes[name] = Self.fileSize(dir + "/" + name) }
        report.filesBefore = listed.count
        report.bytesBefore = listed.reduce(0) { $0 + (sizes[$1] ?? 0) }
        // Only files the store knows as published are merged; the rest are carried over as they are.
        let plan = CompactionPlan(files: listed.map { .init(name: $0, bytes: sizes[$0] ?? 0, published: published.contains(dir + "/" + $0)) },
                                  targetBytes: options.targetBytes, largeFraction: options.largeFraction)
        let bins = plan.bins
        guard !bins.isEmpty else {
            report.filesAfter = report.filesBefore
            report.bytesAfter = report.bytesBefore
            return report
        }
        let id = FileNamer.randomInstanceID()
        let build = workDirectory + "/build-" + id
        try fm.createDirectory(atPath: build, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: build) }
        var namer = FileNamer(instance: "c" + String(id.prefix(11)))
        var merged: [MergedFile] = []
        for bin in bins {
            for m in try merge(bin, directory: dir, build: build, namer: &namer) {
                merged.append(m)
                report.rows += m.rows
            }
        }
        guard !merged.isEmpty else {
            report.filesAfter = report.filesBefore
            report.bytesAfter = report.bytesBefore
            return report
        }
        let removed = Set(merged.flatMap(\.inputs))
        try swap.run(partition: partition, merged: merged, build: build, id: id)
        report.filesMerged = removed.count
        report.filesWritten = merged.count
        let after = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter {
            $0.hasSuffix(".parquet") && !removed.contains($0) && !CompactionPlaceholder.isPlaceholder(dir + "/" + $0)
        }
        report.filesAfter = after.count
        report.bytesAfter = after.reduce(0) { $0 + Self.fileSize(dir + "/" + $1) }
        if options.grace <= .zero { deleteRetired() }
        return report
    }

    /// Deletes the placeholders of earlier swaps once their grace has passed (see `PlaceholderSweep`).
    func sweepPlaceholders() throws { try sweep.sweep() }

    /// Deletes retired versions older than the grace period.
    public func deleteRetired() {
        let fm = FileManager.default
        let now = Int64(Date().timeIntervalSince1970)
        let grace = options.grace.components.seconds
        for entry in (try? fm.contentsOfDirectory(atPath: workDirectory)) ?? [] where entry.hasPrefix("retired-") {
            let stamp = entry.split(separator: "-").dropFirst().first.flatMap { Int64($0) } ?? 0
            if now - stamp >= grace { try? fm.removeItem(atPath: workDirectory + "/" + entry) }
        }
    }

    /// Concatenates the files `names` of `directory`, row group by row group, into new files in `build`: one per
    /// run of consecutive inputs with the same schema (a schema change mid-day starts a new output). Runs of a
    /// single file are not rewritten.
    private func merge(_ names: [String], directory: String, build: String,
                       namer: inout FileNamer) throws -> [MergedFile] {
        var out: [MergedFile] = []
        var writer: ParquetFileWriter?
        var schema: ParquetSchema?
        var current: [String] = []
        var currentName = ""
        func finish() throws {
            guard let w = writer else { return }
            let summary = try w.close()
            if current.count >= 2 {
                out.append((currentName, current, summary.rowCount, summary.fileBytes))
            } else {
                try? FileManager.default.removeItem(atPath: build + "/" + currentName)
            }
            writer = nil
            current = []
        }
        for name in names {
            let reader = try ParquetFileReader(path: directory + "/" + name)
            if writer == nil || reader.schema != schema {
                try finish()
                currentName = namer.next()
                schema = reader.schema
                var writerOptions = ParquetWriterOptions()
                writerOptions.compression = reader.metadata.rowGroups.first?.columns.first?.codec ?? .zstd
                writerOptions.rowGroupMaxRows = options.rowGroupRows
                writerOptions.createdBy = reader.metadata.createdBy ?? options.createdBy
                writerOptions.keyValueMetadata = reader.metadata.keyValueMetadata.map { ($0.key, $0.value ?? "") }
                writer = try ParquetFileWriter(path: build + "/" + currentName, schema: reader.schema, options: writerOptions)
            }
            for g in 0..<reader.rowGroupCount { try writer!.write(try reader.readRowGroup(g)) }
            current.append(name)
        }
        try finish()
        return out
    }

    static func fileSize(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }
}
