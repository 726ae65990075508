/// Consumer lag in seconds per partition, the standard way: 0 when the partition is caught up (no offset lag);
/// otherwise the age of the oldest record not yet committed, by its Kafka timestamp.
///
/// Pure (the caller passes the time). The run loop reports where each micro-batch starts in each partition
/// (`read`) and what each commit made durable (`committed`); a commit always covers whole batches, so the oldest
/// uncommitted record is the first record of the first batch at or after the committed offset. When the offset lag
/// says records are pending that no batch has read yet (the consumer has not fetched them, or the loop is stalled),
/// their timestamps are unknown: the lag then counts from when that was first seen, a lower bound that keeps
/// growing while nothing is read.
public struct ConsumerTimeLag: Sendable {
    /// Where a batch started in one partition: the offset and Kafka timestamp (unix ms) of its first record.
    struct Start: Equatable {
        let offset: Int64
        let timestampMs: Int64
    }

    /// Batch starts not yet covered by a commit, by offset.
    private var pending: [SourcePartition: [Start]] = [:]
    /// When a partition was first seen behind with no batch read, in unix ms.
    private var behindSince: [SourcePartition: Int64] = [:]

    public init() {}

    /// A batch read `partition` starting at `offset`, a record stamped `timestampMs` (unix ms; nil when the record
    /// has no timestamp, which leaves the lag of that batch to the fallback). Re-reading after a rewind replaces
    /// the starts at and after `offset`.
    public mutating func read(_ partition: SourcePartition, offset: Int64, timestampMs: Int64?) {
        var starts = pending[partition] ?? []
        starts.removeAll { $0.offset >= offset }
        if let timestampMs { starts.append(Start(offset: offset, timestampMs: timestampMs)) }
        pending[partition] = starts
    }

    /// A commit made every record below `offsets[p]` durable.
    public mutating func committed(_ offsets: [SourcePartition: Int64]) {
        for (partition, next) in offsets {
            pending[partition]?.removeAll { $0.offset < next }
        }
    }

    /// The partitions now assigned; the others are forgotten.
    public mutating func assigned(_ partitions: [SourcePartition]) {
        let keep = Set(partitions)
        pending = pending.filter { keep.contains($0.key) }
        behindSince = behindSince.filter { keep.contains($0.key) }
    }

    /// The lag of `partition` in seconds at `nowMs` (unix ms), given its offset lag (high watermark − committed
    /// offset; nil when unknown). 0 when caught up or unknown; never negative (clock skew between producer and
    /// consumer).
    public mutating func seconds(_ partition: SourcePartition, offsetLag: Int64?, nowMs: Int64) -> Double {
        guard let offsetLag, offsetLag > 0 else {
            behindSince[partition] = nil
            return 0
        }
        let since: Int64
        if let oldest = pending[partition]?.first {
            behindSince[partition] = nil
            since = oldest.timestampMs
        } else {
            since = behindSince[partition] ?? nowMs
            behindSince[partition] = since
        }
        return Double(max(0, nowMs - since)) / 1000
    }
}
