import Logging

/// Checks, at each assignment, that the source still holds what the checkpoint store says this lake consumed,
/// so that a lake never silently skips records it never read.
///
/// - A stored offset past its partition's end: the topic was recreated (shorter), or the lake belongs to another
///   cluster. The run stops.
/// - A different Kafka cluster id than the one the store recorded: the brokers were replaced by another cluster.
///   The run stops.
/// - A different record at the stored offset's last consumed position (`RecordFingerprint`: timestamp and value
///   hash of the record at `next - 1`): the topic was recreated and refilled past the stored offset. The run stops.
/// - A stored offset before the partition's first record: retention deleted records this lake never read. The
///   loss is logged as an error and counted; the run goes on (nothing can bring them back).
///
/// A position this process committed itself, or already verified, is not fetched again at the next rebalance.
final class SourceContinuityCheck: @unchecked Sendable {
    private let topic: String
    private let source: RecordSource
    private let store: CheckpointStore
    private let logger: Logger
    /// Records deleted by retention before this lake read them, found at assignments.
    private(set) var recordsLostToRetention: Int64 = 0
    /// The stored offset at which each partition's retention gap was counted.
    private var reportedRetentionGaps: [SourcePartition: Int64] = [:]
    /// Positions known to match the source: verified, or committed by this process.
    private var verified: [SourcePartition: StoredPosition] = [:]
    private var clusterChecked = false

    init(topic: String, source: RecordSource, store: CheckpointStore, logger: Logger) {
        self.topic = topic
        self.source = source
        self.store = store
        self.logger = logger
    }

    /// The store key of the source cluster's id.
    var clusterKey: String { "source.\(topic).cluster_id" }

    /// Remembers positions this process committed: they match the source by construction.
    func committed(_ advances: [SourcePartition: OffsetAdvance]) {
        for (p, a) in advances { verified[p] = StoredPosition(next: a.next, fingerprint: a.fingerprint) }
    }

    /// Checks the stored positions of newly assigned partitions (call with a non-empty assignment).
    /// - Throws: `PipelineError` (`needsOperator`) naming the first partition whose stored position does not match the source.
    func check(_ stored: [SourcePartition: StoredPosition]) async throws {
        try await checkCluster()
        guard !stored.isEmpty else { return }
        let bounds = await source.offsetBounds(Array(stored.keys))
        var toFingerprint: [SourcePartition: Int64] = [:]
        for (partition, position) in stored.sorted(by: { $0.key < $1.key }) {
            let next = position.next
            guard let b = bounds[partition] else { continue }
            // Reported once per stored offset: a rebalance before the next commit finds the same gap again.
            if next < b.low, reportedRetentionGaps[partition] != next {
                reportedRetentionGaps[partition] = next
                recordsLostToRetention += b.low - next
                logger.error("records deleted by retention before this lake read them", metadata: [
                    "partition": "\(partition)", "stored_offset": "\(next)", "first_offset": "\(b.low)",
                    "records_lost": "\(b.low - next)"])
            }
            if next > b.high {
                throw Self.mismatch(partition, next, "that partition ends at offset \(b.high)")
            }
            if position.fingerprint != nil, next - 1 >= b.low, verified[partition] != position {
                toFingerprint[partition] = next - 1
            }
        }
        guard !toFingerprint.isEmpty, let found = await source.fingerprints(at: toFingerprint) else { return }
        for (partition, offset) in toFingerprint.sorted(by: { $0.key < $1.key }) {
            guard let position = stored[partition], let expected = position.fingerprint else { continue }
            guard let actual = found[partition] else {
                logger.warning("could not read the last consumed record to check that the topic was not recreated", metadata: [
                    "partition": "\(partition)", "offset": "\(offset)"])
                continue
            }
            guard actual == expected else {
                throw Self.mismatch(partition, position.next, "the record at offset \(offset) is not the one this lake "
                    + "consumed there (then: \(expected); now: \(actual))")
            }
            verified[partition] = position
        }
    }

    /// Compares the source's cluster id with the one the store recorded, once per process; records it when absent,
    /// or when the store holds nothing committed yet.
    private func checkCluster() async throws {
        guard !clusterChecked, let current = await source.clusterID() else { return }
        clusterChecked = true
        let recorded = try store.metaValue(clusterKey)
        if recorded == current { return }
        if let recorded, try !store.isEmpty() {
            throw PipelineError(message: "the checkpoint store holds offsets of \(topic) consumed from Kafka cluster "
                + "\(recorded), but the brokers now belong to cluster \(current): the cluster was replaced, or this lake "
                + "belongs to another Kafka cluster. Weir stops instead of skipping those records (fix: land this topic "
                + "into a new lake.out_dir)", needsOperator: true)
        }
        try store.setMetaValue(clusterKey, current)
    }

    static func mismatch(_ partition: SourcePartition, _ next: Int64, _ detail: String) -> PipelineError {
        PipelineError(message: "the checkpoint store resumes \(partition) at offset \(next), but \(detail): the topic was "
            + "deleted and recreated, or this lake belongs to another Kafka cluster. Weir stops instead of skipping those "
            + "records (fix: land this topic into a new lake.out_dir)", needsOperator: true)
    }
}
