import Testing
@testable import Pipeline

/// `kafka_consumer_lag_seconds` (issue 15): 0 when caught up; otherwise the age of the oldest record not yet
/// committed, by its Kafka timestamp. The clock is injected (`nowMs`).
@Suite struct ConsumerTimeLagTests {
    let p0 = SourcePartition(topic: "events", partition: 0)
    let p1 = SourcePartition(topic: "events", partition: 1)
    let t0: Int64 = 1_765_000_000_000  // unix ms

    /// A backfill: records produced an hour ago (whatever their event times) are read in batches and committed.
    /// While records are pending, the lag is the age of the oldest uncommitted one; once caught up it is 0.
    @Test func backfillReportsTheOldestPendingRecordThenZero() {
        var lag = ConsumerTimeLag()
        lag.assigned([p0])
        let now = t0 + 3_600_000
        // Not read yet: the lag counts from when it was first seen behind.
        #expect(lag.seconds(p0, offsetLag: 3000, nowMs: now) == 0)
        #expect(lag.seconds(p0, offsetLag: 3000, nowMs: now + 2_000) == 2)
        // Three batches read, produced 1 s apart, an hour ago.
        lag.read(p0, offset: 0, timestampMs: t0)
        lag.read(p0, offset: 1000, timestampMs: t0 + 1_000)
        lag.read(p0, offset: 2000, timestampMs: t0 + 2_000)
        #expect(lag.seconds(p0, offsetLag: 3000, nowMs: now + 5_000) == 3605)
        // The first two batches are committed: the oldest pending record is the third batch's first.
        lag.committed([p0: 2000])
        #expect(lag.seconds(p0, offsetLag: 1000, nowMs: now + 6_000) == 3604)
        // Everything committed, caught up: 0, however old the records (or their event times) are.
        lag.committed([p0: 3000])
        #expect(lag.seconds(p0, offsetLag: 0, nowMs: now + 7_000) == 0)
        #expect(lag.seconds(p0, offsetLag: 0, nowMs: now + 600_000) == 0)
    }

    /// A quiet topic stays at 0 hour after hour; a new record counts from its own timestamp.
    @Test func quietTopicStaysZero() {
        var lag = ConsumerTimeLag()
        lag.assigned([p0])
        lag.read(p0, offset: 0, timestampMs: t0)
        lag.committed([p0: 1])
        for hour in 0..<24 { #expect(lag.seconds(p0, offsetLag: 0, nowMs: t0 + Int64(hour) * 3_600_000) == 0) }
        let later = t0 + 86_400_000
        lag.read(p0, offset: 1, timestampMs: later)
        #expect(lag.seconds(p0, offsetLag: 1, nowMs: later + 1_500) == 1.5)
        lag.committed([p0: 2])
        #expect(lag.seconds(p0, offsetLag: 0, nowMs: later + 60_000) == 0)
    }

    /// A rewind (refused commit) re-reads records: their starts replace the old ones. Revoked partitions are
    /// forgotten; a producer clock ahead of ours never gives a negative lag; unknown offset lag reads 0.
    @Test func rewindsRevocationsSkewAndUnknownLag() {
        var lag = ConsumerTimeLag()
        lag.assigned([p0, p1])
        lag.read(p0, offset: 10, timestampMs: t0)
        lag.read(p0, offset: 20, timestampMs: t0 + 1_000)
        lag.read(p0, offset: 10, timestampMs: t0)  // rewound to 10
        lag.committed([p0: 10])
        #expect(lag.seconds(p0, offsetLag: 5, nowMs: t0 + 10_000) == 10)
        lag.read(p1, offset: 0, timestampMs: t0 + 60_000)
        #expect(lag.seconds(p1, offsetLag: 5, nowMs: t0 + 10_000) == 0, "timestamp ahead of the clock")
        lag.assigned([p1])
        #expect(lag.seconds(p0, offsetLag: 5, nowMs: t0 + 20_000) == 0, "forgotten: counts from now")
        #expect(lag.seconds(p1, offsetLag: nil, nowMs: t0 + 20_000) == 0)
    }
}
