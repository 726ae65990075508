/// At each assignment: which DLQ records of the assigned partitions an earlier attempt already delivered (its
/// commit never happened, so their source records are read again), so that they are not sent twice.
///
/// The scan of each partition starts at its own DLQ mark in the store, else at the lake's genesis mark: recorded
/// at the first assignment ever, before this lake delivered anything, so the scan never reads older records. A
/// store rebuilt from the lake (`weir checkpoint rebuild`) has lost its marks: its genesis mark is each DLQ
/// partition's beginning.
struct DeadLetterRecovery: Sendable {
    /// The store key under which the lake's genesis DLQ marks are kept.
    static let genesis = SourcePartition(topic: "", partition: -1)

    let store: CheckpointStore
    let deadLetters: DeadLetterSink

    /// The source coordinates of records already in the DLQ, from each partition's `stored` offset (0 when none).
    /// Records the genesis mark on the lake's first assignment.
    /// - Throws: store errors; the DLQ sink's errors reading its topic.
    func alreadyDelivered(assignment: [SourcePartition], stored: [SourcePartition: Int64]) async throws -> Set<SourceCoordinate> {
        let genesis = try await genesisMarks()
        var marks: [SourcePartition: [DeadLetterMark]] = [:]
        var from: [SourcePartition: Int64] = [:]
        for partition in assignment {
            let own = try store.deadLetterMarks(for: partition)
            marks[partition] = own.isEmpty ? genesis : own
            from[partition] = stored[partition] ?? 0
        }
        return try await deadLetters.alreadyDelivered(from: from, marks: marks)
    }

    /// The lake's genesis marks, recorded now (the DLQ's current ends) when the store has none.
    private func genesisMarks() async throws -> [DeadLetterMark] {
        let recorded = try store.deadLetterMarks(for: Self.genesis)
        guard recorded.isEmpty else { return recorded }
        var current = try await deadLetters.currentMarks()
        // A rebuilt store: the DLQ may already hold records of any age, so the first scan reads it from the start.
        if try store.metaValue(PipelineRunner.rebuiltKey) != nil {
            current = current.map { DeadLetterMark(dlqTopic: $0.dlqTopic, dlqPartition: $0.dlqPartition, scanFrom: 0) }
        }
        guard !current.isEmpty else { return [] }
        try store.recordDeadLetterMarks(current, for: Self.genesis)
        return try store.deadLetterMarks(for: Self.genesis)  // the lowest, if another instance raced
    }
}
