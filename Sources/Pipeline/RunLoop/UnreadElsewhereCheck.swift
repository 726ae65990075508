import Logging

/// For an idle run (`--until-idle`): the partitions of the topic that this member does not hold and that still
/// have records nobody read (a member died and the group has not handed its partitions over yet, or another member
/// is still reading), with how many (`IdleExit.unread`). Logs them when the set changes.
final class UnreadElsewhereCheck: @unchecked Sendable {
    private let source: RecordSource
    private let store: CheckpointStore
    private let logger: Logger
    /// The partitions last logged.
    private var reported = Set<SourcePartition>()

    init(source: RecordSource, store: CheckpointStore, logger: Logger) {
        self.source = source
        self.store = store
        self.logger = logger
    }

    /// The unread partitions of other members. When the group cannot be asked, none: the run ends as it did
    /// before it could tell.
    /// - Throws: store errors reading the stored offsets.
    func unread(assigned: [SourcePartition]) async throws -> [SourcePartition: Int64] {
        guard let progress = await source.groupProgress(), !progress.isEmpty else { return [:] }
        let stored = try store.storedOffsets(Array(progress.keys))
        let unread = IdleExit.unread(progress, stored: stored, assigned: Set(assigned))
        if !unread.isEmpty && Set(unread.keys) != reported {
            logger.info("idle, but not exiting: partitions held by other members have unread records",
                        metadata: ["partitions": "\(Self.describe(unread))"])
        }
        reported = Set(unread.keys)
        return unread
    }

    /// `partition=count` per unread partition, in partition order, for logs.
    static func describe(_ unread: [SourcePartition: Int64]) -> [String] {
        unread.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }
}
