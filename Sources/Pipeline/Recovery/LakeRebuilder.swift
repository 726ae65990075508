import EventSchema
import Foundation
import Parquet

/// Restores a lost checkpoint store from the lake itself (`weir checkpoint rebuild`).
///
/// - Offsets: per source partition, one past the highest offset the lake holds, from the lineage columns
///   `_kafka_partition` and `_kafka_offset` of every Parquet file (compacted files keep them) and, with the file
///   DLQ sink, the `source` of every dead-letter record under `_dlq/`.
/// - The file manifest: every Parquet and DLQ file, as published.
/// - Dedup keys: recomputed from the dedup-key columns (`dedup.key` fields; nested fields from their JSON column,
///   unknown fields from `_extra`), stamped with the row's `processing_ts`; keys older than the TTL are skipped.
///   `dedup.key: content_hash` hashes the original payload, which the lake does not keep: those keys cannot be
///   restored (`Report.keysRestorable` is false).
/// - The store is marked rebuilt, so the first run scans the Kafka DLQ topic from its beginning and does not send
///   records it already holds again.
///
/// Records consumed after the last one the lake holds (duplicates dropped, or DLQ records past the last landed
/// event) are read again by the next run: duplicates are dropped again by the restored keys, and DLQ records
/// already delivered are found by that scan.
public struct LakeRebuilder {
    /// What a rebuild restored.
    public struct Report: Sendable, Equatable {
        public var files = 0
        public var rows: Int64 = 0
        public var keys: Int64 = 0
        public var deadLetterFiles = 0
        public var deadLetterRecords: Int64 = 0
        /// The next offset per source partition.
        public var offsets: [SourcePartition: Int64] = [:]
        /// False for `dedup.key: content_hash`: the lake does not keep the payloads those keys hash.
        public var keysRestorable = true
    }

    let layout: LakeLayout
    /// Where the lake's bytes live (rooted at the lake root).
    let storage: Storage
    let store: CheckpointStore
    let topic: String
    let dedupKey: DedupKeySpec
    let ttl: Duration
    let nowSeconds: Int64
    /// A PostgreSQL store's redacted URL, for messages; nil for the lake's SQLite file.
    let databaseLocation: String?

    /// - Parameters: the lake, the storage holding its bytes (default: the local file system at `layout.root`),
    ///   its (empty) store, the source topic, the dedup key and its TTL, the current unix time in seconds, and a
    ///   PostgreSQL store's redacted URL (nil: the store is the lake's SQLite file).
    public init(layout: LakeLayout, storage: Storage? = nil, store: CheckpointStore, topic: String, dedupKey: DedupKeySpec,
                ttl: Duration, nowSeconds: Int64 = Int64(Date().timeIntervalSince1970), databaseLocation: String? = nil) {
        self.databaseLocation = databaseLocation
        self.layout = layout
        self.storage = storage ?? layout.posixStorage()
        self.store = store
        self.topic = topic
        self.dedupKey = dedupKey
        self.ttl = ttl
        self.nowSeconds = nowSeconds
    }

    /// Rebuilds the store.
    /// - Throws: `RebuildError` when the store is not empty or a file cannot be read; `StoreError`, `ParquetError`.
    public func rebuild() throws -> Report {
        guard try store.isEmpty() else {
            if let databaseLocation {
                throw RebuildError("the checkpoint store \(databaseLocation) already holds offsets, files or a table pointer; rebuild "
                    + "only restores an empty store (fix: point checkpoint.url at an empty database, and add --replace-store "
                    + "to move the lake to it)")
            }
            throw RebuildError("the checkpoint store \(layout.storePath) already holds offsets, files or a table pointer; rebuild only "
                + "restores an empty or missing store (fix: if the store is damaged, stop every weir process on this lake "
                + "and move \(layout.storePath) and its -wal and -shm files aside first)")
        }
        let files = try LakeFiles.list(layout, storage: storage)
        var report = Report()
        var last: [Int32: Int64] = [:]
        let notBefore = nowSeconds - ttl.components.seconds
        if case .contentHash = dedupKey { report.keysRestorable = false }
        for path in files.parquet {
            var batch = LakeRestoreBatch()
            let rows = try readLakeFile(path, last: &last, keys: &batch.keys, notBefore: notBefore)
            batch.files = [StagedFile(stagingPath: path, finalPath: path,
                                      hivePartition: LakeFiles.relativeDirectory(of: path, root: layout.root),
                                      rows: rows, bytes: try size(path))]
            try store.restore(batch)
            report.files += 1
            report.rows += rows
            report.keys += Int64(batch.keys.count)
        }
        var dlqBatch = LakeRestoreBatch()
        for path in files.deadLetter {
            let rows = try readDeadLetterFile(path, last: &last)
            dlqBatch.files.append(StagedFile(stagingPath: path, finalPath: path,
                                             hivePartition: LakeFiles.relativeDirectory(of: path, root: layout.root),
                                             rows: rows, bytes: try size(path)))
            report.deadLetterFiles += 1
            report.deadLetterRecords += rows
        }
        try store.restore(dlqBatch)
        var commit = CheckpointCommit()
        commit.owner = "rebuild"
        commit.committedAt = nowSeconds
        for (partition, offset) in last {
            let p = SourcePartition(topic: topic, partition: partition)
            commit.offsets[p] = OffsetAdvance(expected: nil, next: offset + 1)
            report.offsets[p] = offset + 1
        }
        commit.totals = ["valid": report.rows, "invalid": report.deadLetterRecords, "total": report.rows + report.deadLetterRecords]
        _ = try store.commit(commit)
        try store.setMetaValue(PipelineRunner.rebuiltKey, String(nowSeconds))
        return report
    }

    /// Reads one Parquet file's lineage and key columns: raises `last` to its highest offset per partition and
    /// appends its rows' dedup keys. Returns its row count.
    private func readLakeFile(_ path: String, last: inout [Int32: Int64], keys: inout [(key: DedupKey, seenAt: Int64)],
                              notBefore: Int64) throws -> Int64 {
        let name = layout.name(ofPath: path)
        let reader = try ParquetObject.reader(in: storage, name: name)
        let fallback = try storage.info(name)?.modifiedAt ?? nowSeconds
        let names = reader.schema.columns.map(\.name)
        guard let partitionColumn = names.firstIndex(of: "_kafka_partition"), let offsetColumn = names.firstIndex(of: "_kafka_offset") else {
            throw RebuildError("\(path) has no _kafka_partition and _kafka_offset columns, so the offsets it covers are "
                + "unknown (fix: lake.lineage_columns must have been on; without them, land the topic into a new lake)")
        }
        let keyColumns = try LakeKeyColumns(spec: dedupKey, schema: reader.schema, file: path)
        var wanted = [partitionColumn, offsetColumn]
        let processing = names.firstIndex(of: "processing_ts")
        if keyColumns != nil, let processing { wanted.append(processing) }
        let keyStart = wanted.count
        wanted += keyColumns?.columns ?? []
        for group in 0..<reader.rowGroupCount {
            let values = try reader.readRowGroup(group, columns: wanted)
            guard case .int32(let partitions) = values[0], case .int64(let offsets) = values[1] else {
                throw RebuildError("\(path): unexpected types of _kafka_partition / _kafka_offset")
            }
            for (p, o) in zip(partitions, offsets) {
                guard let p, let o else { continue }
                if o > last[p, default: -1] { last[p] = o }
            }
            guard let keyColumns else { continue }
            var seenAt: [Int64?] = []
            if processing != nil, case .int64(let micros) = values[2] { seenAt = micros.map { $0.map { $0 / 1_000_000 } } }
            let columnValues = Array(values[keyStart...])
            for row in 0..<partitions.count {
                let seen = (row < seenAt.count ? seenAt[row] : nil) ?? fallback
                guard seen >= notBefore, let key = keyColumns.key(row: row, values: columnValues) else { continue }
                keys.append((key, seen))
            }
        }
        return reader.rowCount
    }

    /// Reads one DLQ JSON Lines file: raises `last` with the source offsets of this topic. Returns its line count.
    private func readDeadLetterFile(_ path: String, last: inout [Int32: Int64]) throws -> Int64 {
        guard let data = try storage.get(layout.name(ofPath: path)) else { throw RebuildError("cannot read \(path): it is gone") }
        let decoder = StrictJSONDecoder()
        var rows: Int64 = 0
        for line in Array(data).split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            rows += 1
            guard case .object(let envelope)? = try? decoder.decode(Array(line)),
                  case .object(let source)? = envelope["source"],
                  case .string(let t)? = source["topic"], t == topic,
                  case .int(let p)? = source["partition"], case .int(let o)? = source["offset"] else { continue }
            let partition = Int32(truncatingIfNeeded: p)
            if o > last[partition, default: -1] { last[partition] = o }
        }
        return rows
    }

    private func size(_ path: String) throws -> Int64 { try storage.info(layout.name(ofPath: path))?.size ?? 0 }
}

/// A rebuild that cannot proceed, with the operator's fix in the message.
public struct RebuildError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
