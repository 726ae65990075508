import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// Settings of `weir compact`.
public struct CompactionOptions: Sendable {
    /// Merged files are cut near this many bytes (the inputs' on-disk size). Default 128 MiB.
    public var targetBytes: Int64 = 128 << 20
    /// Files at or above this fraction of the target are left alone. Default 0.75.
    public var largeFraction: Double = 0.75
    /// Where next versions are built and retired versions wait for deletion. It must be on the lake's file
    /// system and outside the lake root (DuckDB's `**` enters every directory, dot- and underscore-prefixed
    /// ones included). Default: `<parent of OUT_DIR>/.<basename of OUT_DIR>.weir-work`.
    public var workDirectory: String?
    /// Retired partition versions are deleted after this long (open readers keep working on Linux anyway).
    public var grace: Duration = .seconds(300)
    /// How long the merged inputs' names stay as tombstones after a swap (see `Tombstone`). A reader that lists a
    /// partition and then stalls for longer than this before it stats the listed names can miss the merged
    /// inputs silently; a shorter stall makes its read fail loudly instead. Compaction waits this long before it
    /// returns. Default 2 s.
    public var tombstoneGrace: Duration = .seconds(2)
    /// Row-group size of merged files.
    public var rowGroupRows: Int = 1_000_000
    /// `created_by` of merged files.
    public var createdBy: String = "weir"
    /// Owner recorded in the store for merged files.
    public var owner: String = "weir-compact"

    public init() {}
}

/// What compaction did to one partition.
public struct PartitionCompaction: Sendable, Equatable {
    public var partition: String
    public var filesBefore = 0
    public var filesAfter = 0
    public var filesMerged = 0
    public var filesWritten = 0
    public var rows: Int64 = 0
    public var bytesBefore: Int64 = 0
    public var bytesAfter: Int64 = 0
    /// Why the partition was left alone, if it was.
    public var skipped: String?

    public init(partition: String) { self.partition = partition }
}

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
/// 5. after `tombstoneGrace`, the tombstones left under the merged inputs' names in the new version are deleted
///    (they make a reader that listed the old version fail loudly instead of silently missing rows; see
///    `Tombstone`).
///
/// A crash between 3 and 4 is finished by the next run from the intent file written before 3; a crash before 5
/// leaves a pending-tombstones file that the next run sweeps.
public final class Compactor: @unchecked Sendable {
    public let layout: LakeLayout
    private let store: CheckpointStore
    public let options: CompactionOptions
    public let workDirectory: String

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
        try finishInterrupted()
        deleteRetired()
        var results: [PartitionCompaction] = []
        for partition in partitions(date: date) { results.append(try compactLocked(partition: partition)) }
        try sweepTombstones()
        return results
    }

    /// Compacts one partition (relative directory).
    public func compact(partition: String) throws -> PartitionCompaction {
        let global = try PartitionLock(layout: layout, hivePartition: "_compaction", exclusive: true)
        defer { withExtendedLifetime(global) {} }
        try finishInterrupted()
        deleteRetired()
        let result = try compactLocked(partition: partition)
        try sweepTombstones()
        return result
    }

    private struct Candidate {
        let name: String
        let bytes: Int64
    }

    private func compactLocked(partition: String) throws -> PartitionCompaction {
        let fm = FileManager.default
        let dir = layout.root + "/" + partition
        var report = PartitionCompaction(partition: partition)
        let published = Set(try store.publishedFiles(hivePartition: partition).map(\.finalPath))
        let entries = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
        // Data files only: tombstones left by an earlier run (killed during its grace) also end in `.parquet`.
        let listed = entries.filter { $0.hasSuffix(".parquet") && !Tombstone.isTombstone(dir + "/" + $0) }.sorted()
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
        let small = listed.filter { published.contains(dir + "/" + $0) && (sizes[$0] ?? 0) < Int64(Double(options.targetBytes) * options.largeFraction) }
            .map { Candidate(name: $0, bytes: sizes[$0] ?? 0) }
        var bins: [[Candidate]] = []
        var current: [Candidate] = []
        var currentBytes: Int64 = 0
        for c in small {
            if !current.isEmpty && currentBytes + c.bytes > options.targetBytes {
                bins.append(current)
                current = []
                currentBytes = 0
            }
            current.append(c)
            currentBytes += c.bytes
        }
        if !current.isEmpty { bins.append(current) }
        bins = bins.filter { $0.count >= 2 }
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
        var merged: [(name: String, inputs: [String], rows: Int64, bytes: Int64)] = []
        for bin in bins {
            for m in try merge(bin.map(\.name), directory: dir, build: build, namer: &namer) {
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
                for input in m.inputs { try Tombstone.write(at: next + "/" + input, mergedInto: m.name) }
            }
            try DurableFile.sync(path: next)
            // The merged inputs' final paths: the store rows to remove, and the tombstones to sweep later. The
            // pending list is written before the swap, so that a crash right after it still gets its tombstones
            // swept, and again after it with the exact publication time the grace is measured from.
            let inputPaths = removed.sorted().map { dir + "/" + $0 }
            let pendingPath = workDirectory + "/tombstones-" + id + ".json"
            try writePending(PendingTombstones(paths: inputPaths, publishedAtMillis: PendingTombstones.now()), to: pendingPath)
            let intent = CompactionIntent(partition: partition, removing: inputPaths,
                                          adding: merged.map { .init(name: $0.name, rows: $0.rows, bytes: $0.bytes) })
            let intentPath = workDirectory + "/intent-" + id + ".json"
            try DurableFile.writeAtomically(Array(try JSONEncoder().encode(intent)), to: intentPath)
            try DirectoryExchange.exchange(dir, next)
            try DurableFile.sync(path: (dir as NSString).deletingLastPathComponent)
            try writePending(PendingTombstones(paths: inputPaths, publishedAtMillis: PendingTombstones.now()), to: pendingPath)
            let retired = workDirectory + "/retired-\(Int64(Date().timeIntervalSince1970))-" + id
            guard rename(next, retired) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            try DurableFile.sync(path: workDirectory)
            try apply(intent)
            try? fm.removeItem(atPath: intentPath)
            report.filesMerged = removed.count
            report.filesWritten = merged.count
        }
        let after = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter {
            $0.hasSuffix(".parquet") && !removed.contains($0) && !Tombstone.isTombstone(dir + "/" + $0)
        }
        report.filesAfter = after.count
        report.bytesAfter = after.reduce(0) { $0 + Self.fileSize(dir + "/" + $1) }
        if options.grace <= .zero { deleteRetired() }
        return report
    }

    /// Records a swap in the store: the merged inputs are removed, the new files published.
    private func apply(_ intent: CompactionIntent) throws {
        let dir = layout.root + "/" + intent.partition
        let stillPublished = Set(try store.publishedFiles(hivePartition: intent.partition).map(\.finalPath))
        let removing = intent.removing.filter { stillPublished.contains($0) }
        let adding = intent.adding.filter { !stillPublished.contains(dir + "/" + $0.name) }.map {
            StagedFile(stagingPath: workDirectory + "/" + $0.name, finalPath: dir + "/" + $0.name, hivePartition: intent.partition,
                       rows: $0.rows, bytes: $0.bytes)
        }
        guard !removing.isEmpty || !adding.isEmpty else { return }
        let commitID = try store.replaceFiles(removing: removing, adding: adding, owner: options.owner)
        try store.markPublished(commitIDs: [commitID])
    }

    /// Finishes swaps interrupted between the exchange and the store update, and drops unfinished builds.
    private func finishInterrupted() throws {
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

    private func writePending(_ pending: PendingTombstones, to path: String) throws {
        try DurableFile.writeAtomically(Array(try JSONEncoder().encode(pending)), to: path)
    }

    /// Deletes the tombstones of earlier swaps (this run's and a crashed run's), first waiting until each has been
    /// visible for `tombstoneGrace`. Only files that still are tombstones are deleted.
    func sweepTombstones() throws {
        let fm = FileManager.default
        let graceMillis = options.tombstoneGrace.microseconds / 1000
        for entry in ((try? fm.contentsOfDirectory(atPath: workDirectory)) ?? []).sorted()
        where entry.hasPrefix("tombstones-") && entry.hasSuffix(".json") {
            let path = workDirectory + "/" + entry
            guard let data = fm.contents(atPath: path), let pending = try? JSONDecoder().decode(PendingTombstones.self, from: data) else {
                try? fm.removeItem(atPath: path)
                continue
            }
            let wait = pending.publishedAtMillis + graceMillis - PendingTombstones.now()
            if wait > 0 { usleep(useconds_t(min(wait, 3_600_000) * 1000)) }
            var parents = Set<String>()
            for tombstone in pending.paths where Tombstone.isTombstone(tombstone) {
                guard unlink(tombstone) == 0 || errno == ENOENT else {
                    throw CompactionError("cannot delete the tombstone \(tombstone): \(String(cString: strerror(errno)))")
                }
                parents.insert((tombstone as NSString).deletingLastPathComponent)
            }
            for parent in parents { try? DurableFile.sync(path: parent) }
            try? fm.removeItem(atPath: path)
        }
    }

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
                       namer: inout FileNamer) throws -> [(name: String, inputs: [String], rows: Int64, bytes: Int64)] {
        var out: [(name: String, inputs: [String], rows: Int64, bytes: Int64)] = []
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

/// Written before the exchange so that a crash before the store update can be finished.
struct CompactionIntent: Codable {
    struct Added: Codable {
        let name: String
        let rows: Int64
        let bytes: Int64
    }
    let partition: String
    let removing: [String]
    let adding: [Added]
}

public struct CompactionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
