import EventSchema

/// Writes DLQ records as JSON Lines under `OUT_DIR/_dlq/date=YYYY-MM-DD/` (date of rejection, UTC), for runs
/// without Kafka. Files are staged and published by the same commit as the lake files, so each record is in
/// the DLQ exactly once.
public struct FileDeadLetterSink: DeadLetterSink {
    public init() {}

    /// Stages the records with the commit, which the store's offsets compare-and-set fences: `permit` is not asked.
    public func deliver(_ records: [DeadLetterRecord], committer: TableCommit,
                        permit: DeliveryPermit = .unfenced) async throws -> DeadLetterDelivery {
        guard !records.isEmpty else { return DeadLetterDelivery() }
        var byDate: [String: [UInt8]] = [:]
        var rows: [String: Int64] = [:]
        for record in records {
            let dir = "_dlq/date=" + CivilTime.dateString(ofMicros: record.failedAtMicros)
            byDate[dir, default: []].append(contentsOf: record.encodedEnvelope)
            byDate[dir]!.append(UInt8(ascii: "\n"))
            rows[dir, default: 0] += 1
        }
        var delivery = DeadLetterDelivery()
        for (dir, bytes) in byDate.sorted(by: { $0.key < $1.key }) {
            delivery.stagedFiles.append(try committer.stage(bytes: bytes, relativeDirectory: dir, prefix: "dlq", ext: "jsonl", rows: rows[dir]!))
        }
        return delivery
    }

    public func alreadyDelivered(from: [SourcePartition: Int64], marks: [SourcePartition: [DeadLetterMark]]) async throws -> Set<SourceCoordinate> {
        []
    }
}
