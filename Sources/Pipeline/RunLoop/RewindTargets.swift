/// Where the source goes back to when uncommitted work is dropped, so that every dropped record is read again.
/// Pure: computed from the store's offsets and what the loop had read.
enum RewindTargets {
    /// At a new assignment: each assigned partition goes back to its stored offset; with none stored, to the
    /// first record of `poll` or of the dropped work (`dropped`, from `PartitionTracker.rollback`), whichever is
    /// lower. Rewinding only to this poll's first record would skip the records processed (and now dropped) before.
    static func afterAssignment(_ poll: SourcePoll, stored: [SourcePartition: Int64],
                                dropped: [SourcePartition: Int64]) -> [SourcePartition: Int64] {
        var rewind: [SourcePartition: Int64] = [:]
        for record in poll.records where poll.assignment.contains(record.sourcePartition) {
            let p = record.sourcePartition
            rewind[p] = stored[p] ?? min(rewind[p] ?? record.offset, record.offset)
        }
        for (p, offset) in dropped where poll.assignment.contains(p) {
            rewind[p] = stored[p] ?? min(rewind[p] ?? offset, offset)
        }
        return rewind
    }

    /// After a refused commit: the targets of the tracker's rollback (`rolledBack`), and for the records of the
    /// prefetched poll that was discarded (never processed, but the consumer has moved past them) a partition with
    /// no other target goes back to its stored offset, or to the first discarded record.
    static func afterRefusal(rolledBack: [SourcePartition: Int64], discarded: [SourceRecord],
                             stored: [SourcePartition: Int64], tracker: PartitionTracker) -> [SourcePartition: Int64] {
        var rewind = rolledBack
        for record in discarded where tracker.accepts(record.sourcePartition, offset: record.offset) {
            let p = record.sourcePartition
            if rewind[p] == nil { rewind[p] = stored[p] ?? tracker.storedOffset(p) ?? record.offset }
            if stored[p] == nil && tracker.storedOffset(p) == nil { rewind[p] = min(rewind[p]!, record.offset) }
        }
        return rewind
    }
}
