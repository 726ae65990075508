import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// The compaction of a Hive partition, safe while `weir run` publishes into it.
///
/// Readers glob `OUT_DIR/**/*.parquet`; moving from the small files to the merged file must never show both
/// (duplicates) or neither (a silent miss). The parts: `CompactionPlan` decides which files merge (pure); `merge`
/// rewrites them, row group by row group, reading through `Storage`; a `PartitionReplacement` puts the merged
/// files in place of their inputs and records the replacement through the `TableRewrite` seam:
///
/// - on the local file system (`POSIXStorage`), `PartitionSwap`: the partition directory is rebuilt beside the
///   lake and swapped in atomically with `renameat2(RENAME_EXCHANGE)` under the partition's exclusive lock, with a
///   placeholder under each merged input's name (`PlaceholderSweep` deletes them after the grace);
/// - on any other `Storage` (object storage), `PlaceholderReplacement`: each input is overwritten by a
///   placeholder, then the merged file is published.
///
/// One compaction runs at a time per lake (the storage's `_compaction` lock). See docs/COMPACTION.md.
public final class Compactor: @unchecked Sendable {
    /// How merged files replace their inputs.
    public enum Method: String, Sendable {
        /// Swap the whole partition directory (`renameat2(RENAME_EXCHANGE)`); local file systems only.
        case directoryExchange
        /// Overwrite each input with a placeholder, then publish the merged file; any storage.
        case placeholdersFirst
    }

    public let layout: LakeLayout
    /// Where the lake's bytes live.
    public let storage: Storage
    /// The table's side: which files are published, and where a replacement is recorded.
    private let table: TableRewrite
    public let options: CompactionOptions
    /// How this compactor replaces files.
    public let method: Method
    /// `directoryExchange`: the local work directory (builds, intents, retired versions, pending placeholder
    /// lists); `placeholdersFirst`: the storage prefix holding the same (`_weir/compaction`).
    public let workDirectory: String
    private let replacement: PartitionReplacement

    /// A compactor of the local lake at `layout.root`, swapping partition directories.
    /// - Throws: `CompactionError` when the work directory is on another file system or inside the lake, or
    ///   `renameat2` is missing.
    public convenience init(layout: LakeLayout, store: CheckpointStore, options: CompactionOptions) throws {
        try self.init(layout: layout, storage: layout.posixStorage(), store: store, options: options)
    }

    /// A compactor of the plain Hive Parquet lake whose bytes `storage` holds and whose manifest `store` keeps
    /// (see `init(layout:storage:table:options:method:)`).
    public convenience init(layout: LakeLayout, storage: Storage, store: CheckpointStore, options: CompactionOptions,
                            method: Method? = nil) throws {
        try self.init(layout: layout, storage: storage, table: HiveManifestRewrite(store: store), options: options, method: method)
    }

    /// A compactor of the lake whose bytes `storage` holds (rooted at the lake root), recording its replacements in
    /// `table`. `method` defaults to `directoryExchange` for `POSIXStorage` and `placeholdersFirst` for any other
    /// storage.
    /// - Throws: `CompactionError` when `directoryExchange` is asked of a storage that is not `POSIXStorage`, or
    ///   its work directory is unusable (see `init(layout:store:options:)`).
    public init(layout: LakeLayout, storage: Storage, table: TableRewrite, options: CompactionOptions, method: Method? = nil) throws {
        self.layout = layout
        self.storage = storage
        self.table = table
        self.options = options
        let posix = storage as? POSIXStorage
        self.method = method ?? (posix != nil ? .directoryExchange : .placeholdersFirst)
        switch self.method {
        case .directoryExchange:
            guard posix != nil else { throw CompactionError("the directory exchange works only on a local file system") }
            let root = layout.root
            let parent = (root as NSString).deletingLastPathComponent
            workDirectory = options.workDirectory ?? parent + "/." + (root as NSString).lastPathComponent + ".weir-work"
            replacement = try PartitionSwap(layout: layout, table: table, workDirectory: workDirectory, options: options)
        case .placeholdersFirst:
            workDirectory = PlaceholderReplacement.workPrefix
            replacement = PlaceholderReplacement(layout: layout, storage: storage, table: table, owner: options.owner,
                                                 placeholderGrace: options.placeholderGrace)
        }
    }

    /// Hive partitions (relative names) with Parquet files: every `date=*` (and `date=*/hour=*`) under the root,
    /// or only those of `date` (YYYY-MM-DD).
    /// - Throws: the storage's error.
    public func partitions(date: String? = nil) throws -> [String] {
        var out: [String] = []
        for d in try storage.list("").filter({ $0.hasPrefix("date=") }) where date == nil || d == "date=" + date! {
            let sub = try storage.list(d)
            if sub.contains(where: { $0.hasSuffix(".parquet") }) { out.append(d) }
            for h in sub where h.hasPrefix("hour=") { out.append(d + "/" + h) }
        }
        return out
    }

    /// Compacts every selected partition.
    public func compactAll(date: String? = nil) throws -> [PartitionCompaction] {
        try storage.withLock("_compaction", exclusive: true) {
            try replacement.prepare()
            var results: [PartitionCompaction] = []
            for partition in try partitions(date: date) { results.append(try compactLocked(partition: partition)) }
            try replacement.finish()
            return results
        }
    }

    /// Compacts one partition (relative name).
    public func compact(partition: String) throws -> PartitionCompaction {
        try storage.withLock("_compaction", exclusive: true) {
            try replacement.prepare()
            let result = try compactLocked(partition: partition)
            try replacement.finish()
            return result
        }
    }

    /// The partition's data files (placeholders left by an earlier run also end in `.parquet`) with their sizes,
    /// and whether it holds sub-prefixes.
    private func dataFiles(_ partition: String) throws -> (files: [(name: String, bytes: Int64)], hasSubprefixes: Bool) {
        var files: [(String, Int64)] = []
        var hasSubprefixes = false
        for entry in try storage.list(partition) {
            guard let info = try storage.info(partition + "/" + entry) else { hasSubprefixes = true; continue }
            if entry.hasSuffix(".parquet") && !CompactionPlaceholder.isPlaceholder(in: storage, name: partition + "/" + entry) {
                files.append((entry, info.size))
            }
        }
        return (files, hasSubprefixes)
    }

    private func compactLocked(partition: String) throws -> PartitionCompaction {
        var report = PartitionCompaction(partition: partition)
        let dir = layout.root + "/" + partition
        let published = try table.publishedFiles(partition: partition)
        let (listed, hasSubprefixes) = try dataFiles(partition)
        report.filesBefore = listed.count
        report.bytesBefore = listed.reduce(0) { $0 + $1.bytes }
        report.filesAfter = report.filesBefore
        report.bytesAfter = report.bytesBefore
        if let why = replacement.skipReason(partition: partition, hasSubprefixes: hasSubprefixes) {
            report.skipped = why
            return report
        }
        // Only files the table holds as published are merged; the rest are carried over as they are.
        let plan = CompactionPlan(files: listed.map { .init(name: $0.name, bytes: $0.bytes, published: published.contains(dir + "/" + $0.name)) },
                                  targetBytes: options.targetBytes, largeFraction: options.largeFraction)
        guard !plan.isEmpty else { return report }
        let id = FileNamer.randomInstanceID()
        defer { replacement.cleanUp(id: id) }
        var namer = FileNamer(instance: "c" + String(id.prefix(11)))
        var merged: [MergedFile] = []
        for bin in plan.bins {
            for m in try merge(bin, partition: partition, id: id, namer: &namer) {
                merged.append(m)
                report.rows += m.rows
            }
        }
        guard !merged.isEmpty else { return report }
        try replacement.replace(partition: partition, merged: merged, id: id)
        report.filesMerged = Set(merged.flatMap(\.inputs)).count
        report.filesWritten = merged.count
        let after = try dataFiles(partition).files
        report.filesAfter = after.count
        report.bytesAfter = after.reduce(0) { $0 + $1.bytes }
        return report
    }

    /// Deletes the placeholders of earlier swaps once their grace has passed, and retired versions whose grace
    /// is over when it is zero (see `PartitionReplacement.finish`).
    func sweepPlaceholders() throws { try replacement.finish() }

    /// Concatenates the files `names` of `partition`, row group by row group, into new merged files of run `id`
    /// (written where the replacement keeps them until `replace`): one per
    /// run of consecutive inputs with the same schema (a schema change mid-day starts a new output). Runs of a
    /// single file are not rewritten.
    private func merge(_ names: [String], partition: String, id: String, namer: inout FileNamer) throws -> [MergedFile] {
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
                replacement.discard(id: id, name: currentName)
            }
            writer = nil
            current = []
        }
        for name in names {
            let reader = try ParquetObject.reader(in: storage, name: partition + "/" + name)
            if writer == nil || reader.schema != schema {
                try finish()
                currentName = namer.next()
                schema = reader.schema
                var writerOptions = ParquetWriterOptions()
                writerOptions.compression = reader.metadata.rowGroups.first?.columns.first?.codec ?? .zstd
                writerOptions.rowGroupMaxRows = options.rowGroupRows
                writerOptions.createdBy = reader.metadata.createdBy ?? options.createdBy
                writerOptions.keyValueMetadata = reader.metadata.keyValueMetadata.map { ($0.key, $0.value ?? "") }
                writer = try replacement.writer(id: id, name: currentName, schema: reader.schema, options: writerOptions)
            }
            for g in 0..<reader.rowGroupCount { try writer!.write(try reader.readRowGroup(g)) }
            current.append(name)
        }
        try finish()
        return out
    }
}
