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
public final class LakeCommitter: @unchecked Sendable {
    public let layout: LakeLayout
    private let store: CheckpointStore
    private let lock: InstanceLock
    private var namer: FileNamer
    private let writerOptions: ParquetWriterOptions
    /// Test-only fault hook: called with a step name (`staged`, `stored`, `published`); it may kill the process.
    public var faultHook: (@Sendable (String) -> Void)?

    public var instance: String { namer.instance }
    private var stagingDirectory: String { lock.directory }

    /// Takes this instance's staging lock.
    /// - Throws: when the lake directories cannot be created or the lock cannot be taken.
    public init(layout: LakeLayout, store: CheckpointStore, writerOptions: ParquetWriterOptions, instance: String = FileNamer.randomInstanceID()) throws {
        self.layout = layout
        self.store = store
        self.writerOptions = writerOptions
        namer = FileNamer(instance: instance)
        try layout.createDirectories()
        do {
            lock = try InstanceLock.create(directory: layout.stagingDirectory(instance: instance))
        } catch {
            throw StoreError(message: "cannot create the staging directory of instance \(instance): \(error)", isRetriable: false)
        }
    }

    /// Finishes or rolls back commits interrupted by a crash of any dead instance, and deletes their staging
    /// files. Safe while other live instances run: their staging directories are locked and left alone.
    /// - Throws: `StoreError`, or `LakeRecoveryError` when a committed file is missing from both places.
    public func recover() throws -> RecoveryReport {
        var report = RecoveryReport()
        let fm = FileManager.default
        var deadOwners: [String: InstanceLock] = [:]
        for entry in (try? fm.contentsOfDirectory(atPath: layout.stagingRoot)) ?? [] where entry != instance && !entry.hasPrefix(".") {
            if let taken = try InstanceLock.takeOver(directory: layout.stagingDirectory(instance: entry)) { deadOwners[entry] = taken }
        }
        var published: Set<Int64> = []
        for pending in try store.unpublishedFiles() where pending.owner == instance || deadOwners[pending.owner] != nil {
            let f = pending.file
            if DurableFile.exists(f.stagingPath) {
                try PartitionLock.with(layout: layout, hivePartition: f.hivePartition, exclusive: false) {
                    try DurableFile.publish(from: f.stagingPath, to: f.finalPath)
                }
                report.rolledForward += 1
            } else if !DurableFile.exists(f.finalPath) {
                throw LakeRecoveryError(path: f.finalPath)
            }
            published.insert(pending.commitID)
        }
        try store.markPublished(commitIDs: Array(published))
        for (owner, taken) in deadOwners {
            for file in (try? fm.contentsOfDirectory(atPath: taken.directory)) ?? [] where file != ".lock" {
                try? fm.removeItem(atPath: taken.directory + "/" + file)
                report.orphansRemoved += 1
            }
            try? fm.removeItem(atPath: layout.stagingDirectory(instance: owner))
        }
        for file in (try? fm.contentsOfDirectory(atPath: stagingDirectory)) ?? [] where file != ".lock" {
            try? fm.removeItem(atPath: stagingDirectory + "/" + file)
            report.orphansRemoved += 1
        }
        return report
    }

    /// Writes one staged Parquet file for a buffer.
    /// - Throws: `ParquetError` or the file system's error.
    public func stage(_ buffer: RowBuffer, directory: String, schema: ParquetSchema) throws -> StagedFile {
        let name = namer.next()
        let stagingPath = stagingDirectory + "/" + name + ".tmp"
        let writer = try ParquetFileWriter(path: stagingPath, schema: schema, options: writerOptions)
        try writer.write(buffer.columnValues())
        let summary = try writer.close()
        return StagedFile(stagingPath: stagingPath, finalPath: layout.root + "/" + directory + "/" + name,
                          hivePartition: directory, rows: summary.rowCount, bytes: summary.fileBytes)
    }

    /// Writes one staged file of raw bytes (a DLQ JSON Lines file) to be published under `relativeDirectory`.
    public func stage(bytes: [UInt8], relativeDirectory: String, prefix: String, ext: String, rows: Int64) throws -> StagedFile {
        let name = namer.next(prefix: prefix, ext: ext)
        let stagingPath = stagingDirectory + "/" + name + ".tmp"
        guard FileManager.default.createFile(atPath: stagingPath, contents: Data(bytes)) else {
            throw StoreError(message: "cannot write \(stagingPath)", isRetriable: false)
        }
        try DurableFile.sync(path: stagingPath)
        return StagedFile(stagingPath: stagingPath, finalPath: layout.root + "/" + relativeDirectory + "/" + name,
                          hivePartition: relativeDirectory, rows: rows, bytes: Int64(bytes.count))
    }

    /// Runs steps 2–4 for files already staged. On a refused commit the staged files are deleted and the error
    /// is rethrown (`OffsetConflict`, `DedupRace`).
    public func commit(_ commit: CheckpointCommit) throws -> Int64 {
        var commit = commit
        commit.owner = instance
        try DurableFile.sync(path: stagingDirectory)
        faultHook?("staged")
        let commitID: Int64
        do {
            commitID = try store.commit(commit)
        } catch {
            for f in commit.files { try? FileManager.default.removeItem(atPath: f.stagingPath) }
            throw error
        }
        faultHook?("stored")
        try publish(commit.files)
        faultHook?("published")
        try store.markPublished(commitIDs: [commitID])
        return commitID
    }

    /// Removes this instance's (empty) staging directory at a clean exit. The lock is released with the process.
    public func close() {
        let fm = FileManager.default
        let leftovers = ((try? fm.contentsOfDirectory(atPath: stagingDirectory)) ?? []).filter { $0 != ".lock" }
        if leftovers.isEmpty { try? fm.removeItem(atPath: stagingDirectory) }
    }

    /// Renames staged files into the lake, each under its partition's shared `PartitionLock` so that compaction
    /// (which takes it exclusively to swap the partition directory) never retires a directory mid-publish.
    func publish(_ files: [StagedFile]) throws {
        for f in files {
            try PartitionLock.with(layout: layout, hivePartition: f.hivePartition, exclusive: false) {
                try DurableFile.publish(from: f.stagingPath, to: f.finalPath)
            }
        }
    }
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
