import Foundation
import Parquet
@testable import Pipeline

/// A `TableCommit` that records what the run loop asks of the table (stages, commits, recoveries) and hands every
/// call to a real implementation underneath.
final class RecordingTableCommit: TableCommit, @unchecked Sendable {
    struct Commit {
        let files: [StagedFile]
        let offsets: [SourcePartition: OffsetAdvance]
        let keys: Int
        let id: Int64?
        let error: String?
    }

    private let inner: TableCommit
    private let lock = NSLock()
    private var _commits: [Commit] = []
    private var _staged: [StagedFile] = []
    private(set) var recoveries = 0
    private(set) var closed = false

    init(_ inner: TableCommit) { self.inner = inner }

    var layout: LakeLayout { inner.layout }
    var instance: String { inner.instance }
    var commits: [Commit] { lock.withLock { _commits } }
    var staged: [StagedFile] { lock.withLock { _staged } }

    func recover() throws -> RecoveryReport {
        lock.withLock { recoveries += 1 }
        return try inner.recover()
    }

    func stage(_ buffer: RowBuffer, directory: String, schema: ParquetSchema) throws -> StagedFile {
        let file = try inner.stage(buffer, directory: directory, schema: schema)
        lock.withLock { _staged.append(file) }
        return file
    }

    func stage(bytes: [UInt8], relativeDirectory: String, prefix: String, ext: String, rows: Int64) throws -> StagedFile {
        let file = try inner.stage(bytes: bytes, relativeDirectory: relativeDirectory, prefix: prefix, ext: ext, rows: rows)
        lock.withLock { _staged.append(file) }
        return file
    }

    func commit(_ commit: CheckpointCommit, keepingOnRefusal kept: Set<String>) throws -> Int64 {
        do {
            let id = try inner.commit(commit, keepingOnRefusal: kept)
            lock.withLock { _commits.append(Commit(files: commit.files, offsets: commit.offsets, keys: commit.dedupKeys.count, id: id, error: nil)) }
            return id
        } catch {
            lock.withLock { _commits.append(Commit(files: commit.files, offsets: commit.offsets, keys: commit.dedupKeys.count, id: nil, error: "\(error)")) }
            throw error
        }
    }

    func close() {
        lock.withLock { closed = true }
        inner.close()
    }
}
