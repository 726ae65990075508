import Testing
import WeirTestSupport
@testable import Pipeline

/// The per-poll operations (`accepted`, `advance(over:)`) agree with the per-record ones on random polls.
@Suite struct PartitionTrackerRunTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func batchedOperationsMatchPerRecordOnes(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let partitions = (0..<4).map { SourcePartition(topic: $0 == 3 ? "other" : "t", partition: Int32($0 % 3)) }
        let assigned = Array(partitions.prefix(3))  // "other"[0] is not assigned
        var stored: [SourcePartition: Int64] = [:]
        for p in assigned where Bool.random(using: &rng) { stored[p] = Int64.random(in: 0..<20, using: &rng) }
        var batched = PartitionTracker()
        batched.assign(assigned, stored: stored)
        var single = batched
        var next = [Int64](repeating: 0, count: partitions.count)
        for _ in 0..<20 {
            // A poll: runs of one partition's records, in offset order, sometimes rewinding behind what was processed.
            var poll: [SourceRecord] = []
            for _ in 0..<Int.random(in: 0..<6, using: &rng) {
                let i = Int.random(in: 0..<partitions.count, using: &rng)
                if Int.random(in: 0..<5, using: &rng) == 0 { next[i] = max(0, next[i] - Int64.random(in: 1..<10, using: &rng)) }
                for _ in 0..<Int.random(in: 1..<8, using: &rng) {
                    poll.append(SourceRecord(topic: partitions[i].topic, partition: partitions[i].partition, offset: next[i],
                                             key: nil, value: nil, timestampMs: nil))
                    next[i] += 1
                }
            }
            let expected = poll.filter { single.accepts($0.sourcePartition, offset: $0.offset) }
            let got = batched.accepted(poll)
            #expect(got.map(\.offset) == expected.map(\.offset))
            #expect(got.map(\.sourcePartition) == expected.map(\.sourcePartition))
            for r in expected { single.advance(r.sourcePartition, offset: r.offset, fingerprint: RecordFingerprint(r)) }
            batched.advance(over: got)
            #expect(batched.advances == single.advances)
            if Int.random(in: 0..<4, using: &rng) == 0 {
                single.handOff(); batched.handOff()
                single.didCommit(); batched.didCommit()
            }
        }
    }
}
