import Logging

/// At an assignment: partitions the checkpoint store has no offset for while the consumer group has committed
/// offsets for them. The store decides where a lake reads (the source starts such partitions at
/// `auto.offset.reset`, the first record by default), so the group's offsets are ignored; this warning says so,
/// naming the group and its offsets, because the usual cause is a group id shared with another lake, and a reader
/// expecting the group's position would otherwise be surprised. Once per partition and process.
final class GroupOffsetsCheck: @unchecked Sendable {
    private let source: RecordSource
    private let logger: Logger
    private var warned = Set<SourcePartition>()

    init(source: RecordSource, logger: Logger) {
        self.source = source
        self.logger = logger
    }

    /// Warns about the partitions of `assignment` with no stored position (`stored`) whose group committed offsets
    /// past 0. Returns those offsets (empty when there is nothing to say, or the group cannot be asked).
    @discardableResult
    func check(assignment: [SourcePartition], stored: [SourcePartition: StoredPosition]) async -> [SourcePartition: Int64] {
        let unstored = assignment.filter { stored[$0] == nil && !warned.contains($0) }
        guard !unstored.isEmpty, let (group, committed) = await source.groupCommitted(unstored) else { return [:] }
        let ignored = committed.filter { unstored.contains($0.key) && $0.value > 0 }
        guard !ignored.isEmpty else { return [:] }
        warned.formUnion(ignored.keys)
        logger.warning("\(Self.message(group: group, ignored: ignored))", metadata: [
            "group": "\(group)", "committed": "\(Self.describe(ignored))"])
        return ignored
    }

    /// `partition=offset`, in partition order.
    static func describe(_ offsets: [SourcePartition: Int64]) -> String {
        offsets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// The warning: what was found, what Weir does instead, and the fix.
    static func message(group: String, ignored: [SourcePartition: Int64]) -> String {
        let partitions = ignored.keys.sorted().map(\.description).joined(separator: ", ")
        return "consumer group \(group) has committed offsets (\(describe(ignored))) for \(partitions), but this lake's "
            + "checkpoint store has none: the store decides where a lake reads, so these partitions start at "
            + "auto.offset.reset (the first record by default) and the group's offsets are ignored, then overwritten "
            + "by this lake's commits (fix: give each lake a consumer group of its own, kafka.group_id or --group-id; "
            + "the group's offsets only feed lag tools)"
    }
}
