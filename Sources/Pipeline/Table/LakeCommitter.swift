import Foundation
import Parquet

/// The exactly-once commit protocol for lake files.
///
/// 1. Each buffer is written as a Parquet file into this instance's staging directory and fsynced.
/// 2. One store transaction records the files, the dedup keys, the offsets (compare-and-set) and the DLQ marks.
/// 3. Files are renamed into their Hive partitions (atomic, same file system) and the directories fsynced.
/// 4. The files are marked published.
///
/// A crash before 2 leaves only staging files, which recovery deletes (the records are consumed again). A crash
/// after 2 leaves committed files that recovery renames into place (roll forward). Readers listing
/// `**/*.parquet` never see a staging file: staging lives under `_weir/` and ends in `.parquet.tmp`.
///
/// This is the plain Hive-partitioned Parquet `TableCommit`. Every file operation goes through `storage`
/// (`POSIXStorage` by default, `S3Storage` for an `s3://` lake): staging writes, the publish (a create-only move)
/// and recovery's listing. Where claims are leases that expire (object storage), each commit also carries this
/// writer's `StagingFence`, and recovery fences a writer before it finishes or deletes that writer's files.
public final class LakeCommitter: TableCommit, @unchecked Sendable {
    public let layout: LakeLayout
    /// Where the lake's bytes live.
    public let storage: Storage
    private let store: CheckpointStore
    private let lease: StorageLease
    /// Names staged files; behind `namerLock`, because a commit's files may be staged side by side.
    private var namer: FileNamer
    private let namerLock = NSLock()
    private let writerOptions: ParquetWriterOptions
    /// Test-only fault hook: called with a step name (`staged`, `stored`, `published`); it may kill the process.
    public var faultHook: (@Sendable (String) -> Void)?
    /// Called by recovery with a dead (or fenced) writer's committed-but-unpublished files, by commit id, before
    /// they are marked published: a table format whose visibility follows the store transaction (an Iceberg REST
    /// catalog commit) finishes those commits here. Throwing leaves them unpublished for the next recovery.
    public var finishUnpublished: ((_ owner: String, _ commits: [Int64: [StagedFile]]) throws -> Void)?
    /// What this writer's fence pointer holds after its last commit (nil before the first); used only when the
    /// storage's claims expire.
    private var fenceValue: String?
    /// Whether `recover()` ran once (the first run also clears this instance's own staging prefix).
    private var recoveredOnce = false
    /// How often recovery looks again at a live writer's committed-but-unpublished files while it waits for that
    /// writer to publish them or for its lease to expire.
    var recoveryPollInterval: Duration = .milliseconds(250)

    public let instance: String
    /// This instance's staging prefix (a `Storage` name).
    private var stagingDirectory: String { lease.prefix }

    /// Takes this instance's staging lock, on the lake's file system.
    /// - Throws: when the lake directories cannot be created or the lock cannot be taken.
    public convenience init(layout: LakeLayout, store: CheckpointStore, writerOptions: ParquetWriterOptions,
                            instance: String = FileNamer.randomInstanceID()) throws {
        try layout.createDirectories()
        try self.init(layout: layout, storage: layout.posixStorage(), store: store, writerOptions: writerOptions, instance: instance)
    }

    /// Claims this instance's staging prefix in `storage`.
    /// - Throws: `StoreError` when the staging prefix cannot be claimed.
    public init(layout: LakeLayout, storage: Storage, store: CheckpointStore, writerOptions: ParquetWriterOptions,
                instance: String = FileNamer.randomInstanceID()) throws {
        self.layout = layout
        self.storage = storage
        self.store = store
        self.writerOptions = writerOptions
        namer = FileNamer(instance: instance)
        self.instance = instance
        do {
            lease = try storage.claim(layout.stagingPrefix + "/" + instance)
        } catch {
            throw StoreError(message: "cannot create the staging directory of instance \(instance): \(error)", isRetriable: false)
        }
    }

    /// Finishes or rolls back commits interrupted by a crash of any dead instance, and deletes their staging
    /// files. Safe while other live instances run: their staging prefixes are claimed and left alone.
    ///
    /// Where claims are leases (object storage), a writer's claim outlives its process by up to the lease's TTL:
    /// recovery then waits, up to twice the TTL, until every other writer's committed-but-unpublished files are
    /// published by that writer or its lease expires and recovery takes it over (fencing it in the store first),
    /// so that a restart finishes a dead instance's commits.
    /// - Throws: `StoreError`, `StorageError`, or `LakeRecoveryError` when a committed file is missing from both places.
    public func recover() throws -> RecoveryReport {
        var report = RecoveryReport()
        let deadline = storage.leaseExpiry.map { ContinuousClock.now + $0 * 2 + .seconds(5) }
        var handled: Set<String> = [instance]
        while true {
            var pendingOwners: Set<String> = []
            let unpublished = try store.unpublishedFiles()
            for entry in try storage.list(layout.stagingPrefix) where !handled.contains(entry) && !entry.hasPrefix(".") {
                guard let taken = try storage.takeOver(layout.stagingPrefix + "/" + entry) else {
                    if unpublished.contains(where: { $0.owner == entry }) { pendingOwners.insert(entry) }
                    continue
                }
                if storage.leaseExpiry != nil { try StagingFence.fence(entry, by: instance, store: store) }
                try finishCommits(of: entry, report: &report)
                for file in (try? storage.list(taken.prefix)) ?? [] where !file.hasPrefix(".") {
                    try? storage.delete(taken.prefix + "/" + file)
                    report.orphansRemoved += 1
                }
                try? storage.delete(taken.prefix)
                handled.insert(entry)
            }
            if !recoveredOnce {
                try finishCommits(of: instance, report: &report)
                for file in (try? storage.list(stagingDirectory)) ?? [] where !file.hasPrefix(".") {
                    try? storage.delete(stagingDirectory + "/" + file)
                    report.orphansRemoved += 1
                }
                recoveredOnce = true
            }
            guard let deadline, !pendingOwners.isEmpty, ContinuousClock.now < deadline else { break }
            Thread.sleep(forTimeInterval: Double(recoveryPollInterval.components.attoseconds) / 1e18
                         + Double(recoveryPollInterval.components.seconds))
        }
        return report
    }

    /// Publishes the committed files of `owner` (dead, fenced or this instance) that did not make it into the lake.
    private func finishCommits(of owner: String, report: inout RecoveryReport) throws {
        var published: Set<Int64> = []
        let pendings = try store.unpublishedFiles().filter { $0.owner == owner }
        if let finishUnpublished, !pendings.isEmpty {
            try finishUnpublished(owner, Dictionary(grouping: pendings, by: \.commitID).mapValues { $0.map(\.file) })
            report.rolledForward += Set(pendings.map(\.commitID)).count
        }
        for pending in pendings {
            let f = pending.file
            if f.isInPlace {
                // Written at its final name (a table format's data file, visible through its snapshot only).
                guard storage.exists(layout.name(ofPath: f.finalPath)) else { throw LakeRecoveryError(path: f.finalPath) }
            } else if storage.exists(layout.name(ofPath: f.stagingPath)) {
                try publish([f])
                report.rolledForward += 1
            } else if !storage.exists(layout.name(ofPath: f.finalPath)) {
                throw LakeRecoveryError(path: f.finalPath)
            }
            published.insert(pending.commitID)
        }
        try store.markPublished(commitIDs: Array(published))
    }

    /// Writes one staged Parquet file for a buffer.
    /// - Throws: `ParquetError` or the file system's error.
    public func stage(_ buffer: RowBuffer, directory: String, schema: ParquetSchema) throws -> StagedFile {
        let name = nextName()
        let stagingName = stagingDirectory + "/" + name + ".tmp"
        let writer = try ParquetFileWriter(sink: StorageParquetSink(try storage.create(stagingName)), schema: schema, options: writerOptions)
        try writer.write(buffer.columnValues())
        let summary = try writer.close()
        return StagedFile(stagingPath: layout.root + "/" + stagingName, finalPath: layout.root + "/" + directory + "/" + name,
                          hivePartition: directory, rows: summary.rowCount, bytes: summary.fileBytes)
    }

    /// Writes one staged Parquet file per buffer, up to `storage.stagingConcurrency` at once (object storage: the
    /// next file is encoded while the previous one uploads; a local file system writes one after the other).
    /// - Throws: the first failure, once every buffer was attempted.
    public func stage(_ buffers: [(rows: RowBuffer, directory: String)], schema: ParquetSchema) throws -> [StagedFile] {
        let files = StagedSlots(count: buffers.count)
        try BlockingFanOut.run(count: buffers.count, width: storage.stagingConcurrency) { [self] i in
            files.set(i, try stage(buffers[i].rows, directory: buffers[i].directory, schema: schema))
        }
        return files.all
    }

    private func nextName(prefix: String = "part", ext: String = "parquet") -> String {
        namerLock.withLock { namer.next(prefix: prefix, ext: ext) }
    }

    /// Writes one staged file of raw bytes (a DLQ JSON Lines file) to be published under `relativeDirectory`.
    public func stage(bytes: [UInt8], relativeDirectory: String, prefix: String, ext: String, rows: Int64) throws -> StagedFile {
        let name = nextName(prefix: prefix, ext: ext)
        let stagingName = stagingDirectory + "/" + name + ".tmp"
        try storage.put(stagingName, bytes: bytes)
        return StagedFile(stagingPath: layout.root + "/" + stagingName, finalPath: layout.root + "/" + relativeDirectory + "/" + name,
                          hivePartition: relativeDirectory, rows: rows, bytes: Int64(bytes.count))
    }

    /// Runs steps 2–4 for files already staged. On a refused commit the staged files are deleted, except those
    /// whose staging path is in `keepingOnRefusal` (files a retry commits again), and the error is rethrown
    /// (`OffsetConflict`, `DedupRace`).
    public func commit(_ commit: CheckpointCommit, keepingOnRefusal kept: Set<String> = []) throws -> Int64 {
        try self.commit(commit, keepingOnRefusal: kept, afterStore: nil)
    }

    /// `commit(_:keepingOnRefusal:)` running `afterStore` with the commit id between the store transaction (and
    /// the `stored` fault point) and the publish. If it throws, the commit stays unpublished in the store (its
    /// files are kept) and the error is rethrown: recovery finishes it (`finishUnpublished`).
    public func commit(_ commit: CheckpointCommit, keepingOnRefusal kept: Set<String> = [],
                       afterStore: ((Int64) throws -> Void)?) throws -> Int64 {
        var commit = commit
        commit.owner = instance
        let fenced = storage.leaseExpiry != nil
        if fenced { commit.tablePointers.append(StagingFence.update(instance, expected: fenceValue)) }
        try storage.sync(stagingDirectory)
        faultHook?("staged")
        let commitID: Int64
        do {
            commitID = try store.commit(commit)
        } catch {
            for f in commit.files where !kept.contains(f.stagingPath) { try? storage.delete(layout.name(ofPath: f.stagingPath)) }
            if let conflict = error as? TablePointerConflict, conflict.table == StagingFence.pointer(instance) {
                throw StagingLeaseLost(instance: instance, prefix: layout.root + "/" + stagingDirectory)
            }
            throw error
        }
        if fenced { fenceValue = StagingFence.live }
        faultHook?("stored")
        try afterStore?(commitID)
        try publish(commit.files)
        faultHook?("published")
        try store.markPublished(commitIDs: [commitID])
        return commitID
    }

    /// Where claims are leases (object storage), reads this writer's fence pointer: a zombie that another
    /// instance's recovery fenced stops here, before it sends DLQ records for work it can no longer commit.
    public func ensureWriterLive() throws {
        guard storage.leaseExpiry != nil else { return }
        if try store.tablePointer(StagingFence.pointer(instance)) == StagingFence.fenced {
            throw StagingLeaseLost(instance: instance, prefix: layout.root + "/" + stagingDirectory)
        }
    }

    /// Removes this instance's (empty) staging directory at a clean exit. The lock is released with the process.
    public func close() {
        let leftovers = ((try? storage.list(stagingDirectory)) ?? []).filter { !$0.hasPrefix(".") }
        if leftovers.isEmpty { try? storage.delete(stagingDirectory) }
    }

    /// Moves staged files into the lake, each under its partition's shared lock (`PartitionLock` on POSIX) so that
    /// compaction (which takes it exclusively to swap the partition directory) never retires a directory
    /// mid-publish. A final name that is taken already holds this very file (names carry the instance id and a
    /// sequence number): a copy-then-delete publish interrupted after the copy, or recovery that published it for
    /// this writer while it stalled; the staged copy is deleted. A staged file that is gone while its final name
    /// exists was published by such a recovery too. Recovery publishes a dead writer's files the same way. Files
    /// written in place (a table format's data files) are not moved.
    ///
    /// Up to `storage.publishConcurrency` files are published at once (object storage: each publish is two
    /// requests that wait on the network, independent of the others); every file is attempted even when one
    /// fails, and the first failure is thrown. The commit is durable in the store already, so the order in which
    /// its files appear does not matter: a reader sees all of them once this returns.
    func publish(_ files: [StagedFile]) throws {
        let moved = files.filter { !$0.isInPlace }
        let (storage, layout) = (storage, layout)
        try BlockingFanOut.run(count: moved.count, width: storage.publishConcurrency) { i in
            let f = moved[i]
            let source = layout.name(ofPath: f.stagingPath), target = layout.name(ofPath: f.finalPath)
            try storage.withLock(f.hivePartition, exclusive: false) {
                do {
                    try storage.publish(source, to: target)
                } catch let error as StorageError where error.kind == .exists {
                    try storage.delete(source)
                } catch let error as StorageError where error.kind == .notFound && storage.exists(target) {
                    return
                }
            }
        }
    }
}

/// The files of one `stage(_:schema:)` call, filled side by side by index.
private final class StagedSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [StagedFile?]

    init(count: Int) { files = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ file: StagedFile) { lock.withLock { files[i] = file } }

    /// Every slot's file (all are set once the fan-out returned without throwing).
    var all: [StagedFile] { lock.withLock { files.map { $0! } } }
}

/// What `recover()` did.
public struct RecoveryReport: Sendable, Equatable {
    /// Committed files renamed into the lake after a crash.
    public var rolledForward = 0
    /// Uncommitted staging files deleted.
    public var orphansRemoved = 0
}

/// A committed lake file exists neither in staging nor in the lake: data was removed by hand.
public struct LakeRecoveryError: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "committed lake file \(path) is missing from both staging and the lake; restore it or rebuild the lake" }
}
