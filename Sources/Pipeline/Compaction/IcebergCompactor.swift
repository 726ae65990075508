import Foundation
import Iceberg
import Parquet

/// `weir compact` on an Apache Iceberg table: each partition's small data files are rewritten into files near the
/// target size and the rewrite is committed as one `replace` snapshot (docs/ICEBERG.md, "Maintenance").
///
/// 1. The live data files of the current snapshot are read from its manifests and grouped by partition; in each,
///    `CompactionPlan` picks the files to merge (below `largeFraction` of the target, packed up to the target).
/// 2. Each group is rewritten, row group by row group, by Weir's Parquet writer into a new file under the same
///    `data/<partition>/` (the inputs' Parquet schema, field ids included; a change of schema between inputs
///    starts a new output); its column statistics are computed from the values written. No snapshot references
///    the outputs yet, so no reader sees them.
/// 3. `SnapshotPlanner.planReplace` plans the replace snapshot, and it is committed by the catalog pointer's
///    compare-and-set, in one store transaction with the outputs' rows in the store's file manifest. If a
///    `weir run` committed meanwhile, the replace is planned again on its snapshot (up to 5 times); if the inputs
///    are no longer all live (another compaction replaced them), the outputs are deleted and the error says so.
///
/// The inputs stay on storage: the previous snapshots still reference them (time travel); `weir maintain`'s
/// snapshot expiry deletes them once no kept snapshot does. The compactor holds a staging claim of its own for
/// the whole run, so the recovery of a `weir run` starting meanwhile leaves its outputs alone, and the lake's
/// `_compaction` lock, so two compactions (or a compaction and `weir maintain`) never overlap.
public final class IcebergCompactor: @unchecked Sendable {
    public let layout: LakeLayout
    public let options: CompactionOptions
    private let table: IcebergTableFiles
    private let instance = FileNamer.randomInstanceID()
    private var namer: FileNamer

    /// - Parameter warehouseURI: the URI of `storage`'s root, e.g. `file:///data/lake` (as `weir run` writes paths).
    public init(layout: LakeLayout, storage: Storage, store: CheckpointStore, settings: IcebergTableSettings, warehouseURI: String,
                options: CompactionOptions) {
        self.layout = layout
        self.options = options
        table = IcebergTableFiles(storage: storage, store: store, settings: settings, warehouseURI: warehouseURI)
        namer = FileNamer(instance: instance)
    }

    private var storage: Storage { table.storage }

    /// Compacts every partition of the table, or only those of the UTC day `date` (YYYY-MM-DD). One result per
    /// partition holding live data files, in partition order; none when the table has no snapshot yet.
    /// - Throws: `CompactionError` when the table changed so that the plan no longer applies; `StoreError`,
    ///   `StorageError`, `ParquetError`, `AvroError` naming the file.
    public func compactAll(date: String? = nil) throws -> [PartitionCompaction] {
        try storage.withLock("_compaction", exclusive: true) {
            let lease = try storage.claim(layout.stagingPrefix + "/" + instance)
            defer { withExtendedLifetime(lease) {}; try? storage.delete(layout.stagingPrefix + "/" + instance) }
            return try compactLocked(date: date)
        }
    }

    private struct Merge {
        let partition: String
        let inputs: [ManifestEntry]
        let output: DataFile
        let staged: StagedFile
    }

    private func compactLocked(date: String?) throws -> [PartitionCompaction] {
        guard var base = try table.current(), let spec = base.metadata.defaultSpec, spec.fields.count == 1 else { return [] }
        let field = spec.fields[0]
        var byPartition: [String: [ManifestEntry]] = [:]
        for m in base.manifests {
            for e in try table.entries(of: m, spec: spec) where e.isLive {
                guard let value = e.file.partition.first ?? nil else { continue }
                let human = field.transform.humanString(value)
                if let date, !human.hasPrefix(date) { continue }
                byPartition[field.name + "=" + human, default: []].append(e)
            }
        }
        var reports: [PartitionCompaction] = []
        var merges: [Merge] = []
        do {
            for (partition, entries) in byPartition.sorted(by: { $0.key < $1.key }) {
                var report = PartitionCompaction(partition: partition)
                let files = entries.sorted { $0.file.path < $1.file.path }
                report.filesBefore = files.count
                report.bytesBefore = files.reduce(0) { $0 + $1.file.fileSizeInBytes }
                let plan = CompactionPlan(files: files.map { .init(name: $0.file.path, bytes: $0.file.fileSizeInBytes, published: true) },
                                          targetBytes: options.targetBytes, largeFraction: options.largeFraction)
                let byPath = Dictionary(files.map { ($0.file.path, $0) }, uniquingKeysWith: { a, _ in a })
                var done: [Merge] = []
                for bin in plan.bins { done += try merge(bin.compactMap { byPath[$0] }, partition: partition) }
                merges += done
                let inputs = done.flatMap(\.inputs)
                report.filesMerged = inputs.count
                report.filesWritten = done.count
                report.rows = done.reduce(0) { $0 + $1.output.recordCount }
                report.filesAfter = report.filesBefore - inputs.count + done.count
                report.bytesAfter = report.bytesBefore - inputs.reduce(0) { $0 + $1.file.fileSizeInBytes }
                    + done.reduce(0) { $0 + $1.output.fileSizeInBytes }
                reports.append(report)
            }
            guard !merges.isEmpty else { return reports }
            let planner = SnapshotPlanner(location: base.metadata.location, schema: base.metadata.currentSchema ?? IcebergSchema(fields: []),
                                          spec: spec, properties: base.metadata.properties)
            let snapshotID = Int64.random(in: 1...Int64.max)
            let attempts = 5
            for attempt in 1...attempts {
                let plan = try planner.planReplace(
                    base: base, removing: Set(merges.flatMap(\.inputs).map(\.file.path)), adding: merges.map(\.output),
                    snapshotID: snapshotID, fileID: instance + "-" + UUID().uuidString.lowercased(),
                    nowMs: Int64(Date().timeIntervalSince1970 * 1000), summary: ["weir.instance": instance],
                    readManifest: { try self.table.entries(of: $0, spec: spec) })
                do {
                    _ = try table.commit(plan, base: base, files: merges.map(\.staged), owner: instance)
                    return reports
                } catch is TablePointerConflict where attempt < attempts {
                    guard let newer = try table.current() else { throw CompactionError("the Iceberg table \(table.tableName) disappeared") }
                    base = newer
                }
            }
            preconditionFailure("the last attempt returns or throws")
        } catch {
            for m in merges { try? storage.delete(table.name(of: m.output.path)) }
            if let conflict = error as? ReplaceConflict {
                throw CompactionError("the Iceberg table \(table.tableName) changed while it was compacted: \(conflict); "
                    + "nothing was replaced, run weir compact again")
            }
            if error is TablePointerConflict {
                throw CompactionError("the Iceberg table \(table.tableName) kept changing while it was compacted (5 commits "
                    + "by other writers); nothing was replaced, run weir compact again")
            }
            throw error
        }
    }

    /// Rewrites `inputs` (one partition, path order) into one file per run of inputs with the same Parquet schema;
    /// runs of a single file are left as they are.
    private func merge(_ inputs: [ManifestEntry], partition: String) throws -> [Merge] {
        var runs: [[ManifestEntry]] = []
        var schema: ParquetSchema?
        for e in inputs {
            let footer = try ParquetObject.footer(in: storage, name: table.name(of: e.file.path)).metadata
            if runs.isEmpty || footer.schema != schema { runs.append([]) }
            schema = footer.schema
            runs[runs.count - 1].append(e)
        }
        return try runs.filter { $0.count >= 2 }.map { try rewrite($0, partition: partition) }
    }

    private func rewrite(_ inputs: [ManifestEntry], partition: String) throws -> Merge {
        let directory = table.tablePrefix + "/data/" + partition
        let name = directory + "/" + namer.next()
        var writer: ParquetFileWriter?
        var stats = DataFileStatistics()
        do {
            for e in inputs {
                let reader = try ParquetObject.reader(in: storage, name: table.name(of: e.file.path))
                if writer == nil {
                    var writerOptions = ParquetWriterOptions()
                    writerOptions.compression = reader.metadata.rowGroups.first?.columns.first?.codec ?? .zstd
                    writerOptions.rowGroupMaxRows = options.rowGroupRows
                    writerOptions.createdBy = reader.metadata.createdBy ?? options.createdBy
                    writer = try ParquetFileWriter(sink: StorageParquetSink(try storage.create(name)), schema: reader.schema, options: writerOptions)
                }
                let ids = reader.schema.columns.map { $0.fieldID ?? -1 }
                for g in 0..<reader.rowGroupCount {
                    let group = try reader.readRowGroup(g)
                    stats.add(group, ids: ids)
                    try writer!.write(group)
                }
            }
            let summary = try writer!.close()
            var file = DataFile(path: table.location(of: name), partition: inputs[0].file.partition, recordCount: summary.rowCount,
                                fileSizeInBytes: summary.fileBytes)
            stats.write(into: &file)
            file.valueCounts[-1] = nil
            file.nullValueCounts[-1] = nil
            file.lowerBounds[-1] = nil
            file.upperBounds[-1] = nil
            file.nanValueCounts[-1] = nil
            try storage.sync(directory)
            return Merge(partition: partition, inputs: inputs, output: file,
                         staged: StagedFile(stagingPath: layout.root + "/" + name, finalPath: layout.root + "/" + name, hivePartition: directory,
                                            rows: summary.rowCount, bytes: summary.fileBytes))
        } catch {
            try? storage.delete(name)
            throw error
        }
    }
}
