import Foundation
@testable import Pipeline

/// A `TableRewrite` that records every replacement compaction asks of the table and hands it to a real one.
final class RecordingTableRewrite: TableRewrite, @unchecked Sendable {
    struct Replacement {
        let partition: String
        let removing: [String]
        let adding: [StagedFile]
    }

    private let inner: TableRewrite
    private let lock = NSLock()
    private var _replacements: [Replacement] = []

    init(_ inner: TableRewrite) { self.inner = inner }

    var replacements: [Replacement] { lock.withLock { _replacements } }

    func publishedFiles(partition: String) throws -> Set<String> { try inner.publishedFiles(partition: partition) }

    func replace(partition: String, removing: [String], adding: [StagedFile], owner: String) throws {
        lock.withLock { _replacements.append(Replacement(partition: partition, removing: removing, adding: adding)) }
        try inner.replace(partition: partition, removing: removing, adding: adding, owner: owner)
    }
}
