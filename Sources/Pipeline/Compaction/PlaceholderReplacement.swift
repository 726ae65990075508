import Foundation
import Parquet

/// The `PartitionReplacement` for any `Storage`, object storage included: there is no directory to swap and no
/// atomic step over several objects, so each merged input is turned into a placeholder *in place* before the
/// merged file appears. For one partition, with the merged files staged under `_weir/compaction/<id>/` (named
/// `….parquet.tmp`, which `**/*.parquet` never matches):
///
/// 1. the intent `_weir/compaction/intent-<id>.json` is put (create-only): the inputs and the merged files. From
///    here on the replacement only rolls forward; the next run finishes it after a crash;
/// 2. every input is overwritten by a placeholder (`Storage.overwrite`: one unconditional `PUT` each);
/// 3. only when all of them are, each merged file is published (create-only) into the partition;
/// 4. one store transaction removes the inputs' records and adds the merged files' (`CompactionIntent.record`);
/// 5. the pending list `_weir/compaction/placeholders-<id>.json` records the placeholders and the time of step 3,
///    and the intent is deleted;
/// 6. (`finish`) once each list is `placeholderGrace` old, its placeholders are deleted, each only while it still
///    is a placeholder.
///
/// Why a racing reader is correct or fails loudly: a reader lists the partition, then reads what it listed. A
/// listing made before step 3 has the inputs and no merged file: each input it reads holds its rows (read before
/// step 2 reached it) or is a placeholder (the read fails), so it either has every row once or fails. A listing
/// made after step 3 has the merged file, and every input name in it is already a placeholder (step 3 starts only
/// after step 2 ended; S3 reads are strongly consistent after a write), so an input's rows cannot be read twice.
/// A listed name deleted by step 6 is missing when read: the read fails (not found). The one assumption is the
/// local design's: a reader does not drop a listed object that it then finds missing (see docs/COMPACTION.md).
/// A crash after step 1 leaves placeholders without their merged file until the next run: reads of the
/// partition fail loudly meanwhile, never silently short.
///
/// `weir run` publishers need no lock: they only create new names, and this never touches a name it did not merge.
struct PlaceholderReplacement: PartitionReplacement {
    let layout: LakeLayout
    let storage: Storage
    /// Where the replacement is recorded.
    let table: TableRewrite
    /// Owner recorded in the store for merged files.
    let owner: String
    /// How long placeholders stay after their merged file was published.
    let placeholderGrace: Duration
    /// Sleeps for the placeholder grace (injected by tests).
    var sleep: (Duration) -> Void = { Thread.sleep(forTimeInterval: Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) }

    /// The storage prefix holding this method's intents, merged files in progress and pending placeholder lists.
    static let workPrefix = "_weir/compaction"

    private func stagingName(id: String, name: String) -> String { Self.workPrefix + "/" + id + "/" + name + ".tmp" }
    private func intentName(id: String) -> String { Self.workPrefix + "/intent-" + id + ".json" }
    private func pendingName(id: String) -> String { Self.workPrefix + "/" + PendingPlaceholders.filePrefix + id + ".json" }

    func prepare() throws {
        let entries = try storage.list(Self.workPrefix)
        for entry in entries where entry.hasPrefix("intent-") && entry.hasSuffix(".json") {
            let id = String(entry.dropFirst("intent-".count).dropLast(".json".count))
            guard let bytes = try storage.get(intentName(id: id)), let intent = try? JSONDecoder().decode(CompactionIntent.self, from: Data(bytes)) else {
                try storage.delete(intentName(id: id))
                continue
            }
            try rollForward(intent, id: id)
        }
        // Merges that never reached their intent: nothing of them is visible.
        let intents = Set(try storage.list(Self.workPrefix).filter { $0.hasPrefix("intent-") })
        for entry in entries where !entry.hasSuffix(".json") && !intents.contains("intent-" + entry + ".json") {
            try storage.delete(Self.workPrefix + "/" + entry)
        }
    }

    func skipReason(partition: String, hasSubprefixes: Bool) -> String? { nil }

    func writer(id: String, name: String, schema: ParquetSchema, options: ParquetWriterOptions) throws -> ParquetFileWriter {
        try ParquetFileWriter(sink: StorageParquetSink(try storage.create(stagingName(id: id, name: name))), schema: schema, options: options)
    }

    func discard(id: String, name: String) { try? storage.delete(stagingName(id: id, name: name)) }

    func replace(partition: String, merged: [MergedFile], id: String) throws {
        let inputs = merged.flatMap(\.inputs).sorted()
        let intent = CompactionIntent(partition: partition, removing: inputs.map { layout.root + "/" + partition + "/" + $0 },
                                      adding: merged.map { .init(name: $0.name, rows: $0.rows, bytes: $0.bytes) })
        try storage.put(intentName(id: id), bytes: Array(try JSONEncoder().encode(intent)))
        try rollForward(intent, id: id)
    }

    /// Steps 2–5 for `intent`; each is skipped where a crashed run already did it.
    private func rollForward(_ intent: CompactionIntent, id: String) throws {
        let inputs = intent.removing.map { layout.name(ofPath: $0) }
        for input in inputs where !CompactionPlaceholder.isPlaceholder(in: storage, name: input) {
            let into = intent.adding.first?.name ?? "a merged file"
            try storage.overwrite(input, bytes: CompactionPlaceholder.content(mergedInto: into))
        }
        for added in intent.adding {
            let staged = stagingName(id: id, name: added.name), final = intent.partition + "/" + added.name
            do {
                try storage.publish(staged, to: final)
            } catch let error as StorageError where error.kind == .exists {
                try storage.delete(staged)  // published before a crash, its staged copy not yet deleted
            } catch let error as StorageError where error.kind == .notFound {
                guard try storage.info(final) != nil else {
                    throw CompactionError("the merged file \(staged) of \(intent.partition) is lost (not staged, not published); "
                        + "its inputs are placeholders, so reads of the partition fail: restore the inputs from a backup, or rebuild the lake")
                }
            }
        }
        try intent.record(in: table, layout: layout, owner: owner, stagingPath: { layout.root + "/" + stagingName(id: id, name: $0) })
        let pending = PendingPlaceholders(paths: inputs, publishedAtMillis: PendingPlaceholders.now())
        do {
            try storage.put(pendingName(id: id), bytes: Array(try JSONEncoder().encode(pending)))
        } catch let error as StorageError where error.kind == .exists {
            // Recorded before a crash: its time stands.
        }
        try storage.delete(intentName(id: id))
    }

    /// Deletes run `id`'s merge prefix unless its intent is still there: then the merged files are what the next
    /// run needs to roll the replacement forward.
    func cleanUp(id: String) {
        guard (try? storage.info(intentName(id: id))) ?? nil == nil else { return }
        try? storage.delete(Self.workPrefix + "/" + id)
    }

    func finish() throws {
        let graceMillis = placeholderGrace.wholeMilliseconds
        for entry in try storage.list(Self.workPrefix) where entry.hasPrefix(PendingPlaceholders.filePrefix) && entry.hasSuffix(".json") {
            let name = Self.workPrefix + "/" + entry
            guard let bytes = try storage.get(name), let pending = try? JSONDecoder().decode(PendingPlaceholders.self, from: Data(bytes)) else {
                try storage.delete(name)
                continue
            }
            let wait = pending.publishedAtMillis + graceMillis - PendingPlaceholders.now()
            if wait > 0 { sleep(.milliseconds(min(wait, 3_600_000))) }
            for placeholder in pending.paths where CompactionPlaceholder.isPlaceholder(in: storage, name: placeholder) {
                try storage.delete(placeholder)
            }
            try storage.delete(name)
        }
    }
}
