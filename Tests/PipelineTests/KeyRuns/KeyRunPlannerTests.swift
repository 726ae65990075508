import Testing
@testable import Pipeline

@Suite struct KeyRunPlannerTests {
    let day: Int64 = 86_400

    @Test func bucketsAreHalfOpenAndFloorNegativeTimes() {
        let b = KeyBuckets(width: day)
        #expect(b.bucket(at: 0) == (0, day))
        #expect(b.bucket(at: day - 1) == (0, day))
        #expect(b.bucket(at: day) == (day, 2 * day))
        #expect(b.bucket(at: -1) == (-day, 0))
        #expect(b.bucket(at: -day) == (-day, 0))
        #expect(KeyBuckets(width: 3_600).bucket(at: 1_733_450_000) == (1_733_446_800, 1_733_450_400))
    }

    func run(_ id: Int64, bucket: Int64, keys: Int, claimed: Int64 = 0) -> KeyRunPlanner.Run {
        KeyRunPlanner.Run(id: id, bucketStart: bucket * day, bucketEnd: (bucket + 1) * day, keys: keys, claimedUntil: claimed)
    }

    @Test func tiersGrowByTheFanIn() {
        let p = KeyRunPlanner(fanIn: 4, baseKeys: 1_000)
        #expect(p.tier(0) == 0 && p.tier(3_999) == 0 && p.tier(4_000) == 1 && p.tier(15_999) == 1 && p.tier(16_000) == 2)
    }

    @Test func anEndedBucketMergesIntoOneRun() {
        let p = KeyRunPlanner(fanIn: 4, baseKeys: 1_000)
        let now = 5 * day + 10
        #expect(p.plan([run(1, bucket: 3, keys: 50), run(2, bucket: 3, keys: 9_000_000), run(3, bucket: 4, keys: 10)], now: now) == [[1, 2]])
        #expect(p.plan([run(1, bucket: 3, keys: 50)], now: now).isEmpty, "one run: nothing to merge")
    }

    @Test func theOpenBucketMergesFanInRunsOfOneTier() {
        let p = KeyRunPlanner(fanIn: 4, baseKeys: 1_000)
        let now = 5 * day + 10
        let three = [run(1, bucket: 5, keys: 900), run(2, bucket: 5, keys: 800), run(3, bucket: 5, keys: 700)]
        #expect(p.plan(three + [run(9, bucket: 5, keys: 50_000)], now: now).isEmpty, "3 runs in tier 0, 1 in tier 2")
        let four = three + [run(4, bucket: 5, keys: 100)]
        #expect(p.plan(four, now: now) == [[1, 2, 3, 4]])
        #expect(p.plan(four + [run(5, bucket: 5, keys: 50)], now: now) == [[2, 3, 4, 5]], "the four smallest of the tier")
        let tier1 = (10...13).map { run($0, bucket: 5, keys: 5_000) }
        #expect(p.plan(tier1 + three, now: now) == [[10, 11, 12, 13]])
    }

    @Test func claimedRunsAreLeftAlone() {
        let p = KeyRunPlanner(fanIn: 4, baseKeys: 1_000)
        let now = 5 * day + 10
        let runs = [run(1, bucket: 3, keys: 5, claimed: now + 1), run(2, bucket: 3, keys: 5), run(3, bucket: 3, keys: 5)]
        #expect(p.plan(runs, now: now) == [[2, 3]])
        #expect(p.plan(runs, now: now + 1) == [[1, 2, 3]], "the claim has lapsed")
    }
}
