import Testing
@testable import Pipeline

/// `HashBucketSort` agrees with the standard library's stable sort, whatever the hashes' spread.
@Suite struct HashBucketSortTests {
    /// A value with a hash and its position in the input, to see stability.
    struct Item: Equatable {
        let hash: UInt64
        let position: Int
    }

    /// Where `HashBucketSort` and the standard library's stable sort of `hashes` first differ; nil when nowhere.
    static func firstDifference(sorting hashes: [UInt64]) -> String? {
        let items = hashes.enumerated().map { Item(hash: $1, position: $0) }
        var bucketed = items
        HashBucketSort.sort(&bucketed, hash: \.hash, by: { $0.hash < $1.hash })
        let reference = items.sorted { $0.hash < $1.hash }
        guard bucketed.count == reference.count else { return "\(bucketed.count) values out of \(reference.count)" }
        guard let i = bucketed.indices.first(where: { bucketed[$0] != reference[$0] }) else { return nil }
        return "at \(i) of \(items.count): \(bucketed[i]) instead of \(reference[i])"
    }

    @Test(arguments: [0, 1, 2, 255, 256, 257, 1_000, 4_099, 100_000])
    func uniformHashesAtEverySize(count: Int) {
        var source = KeySource(seed: UInt64(count) + 1)
        let hashes = source.keys(count).map { KeyProbe($0).h1 }
        #expect(Self.firstDifference(sorting: hashes) == nil)
    }

    @Test func crowdedHashesFallBackToTheirBucketSort() {
        // The top 24 bits equal: every value lands in one bucket, larger than the insertion limit.
        var source = KeySource(seed: 7)
        let hashes = source.keys(5_000).map { 0xABCD_EF00_0000_0000 | (KeyProbe($0).h1 >> 24) }
        #expect(Self.firstDifference(sorting: hashes) == nil)
    }

    @Test func equalHashesKeepTheirInputOrder() {
        // Few distinct hashes, each many times: buckets both below and above the insertion limit.
        var source = KeySource(seed: 11)
        let distinct = source.keys(40).map { KeyProbe($0).h1 }
        let hashes = (0..<3_000).map { distinct[($0 * 7919) % ($0 % 3 == 0 ? 40 : 5)] }
        #expect(Self.firstDifference(sorting: hashes) == nil)
    }

    @Test func smallBucketsAreSortedInside() {
        // Pairs of hashes that share their top 32 bits, given in descending order.
        var source = KeySource(seed: 3)
        let tops = source.keys(600).map { KeyProbe($0).h1 & 0xFFFF_FFFF_0000_0000 }
        let hashes = tops.flatMap { [$0 | 9, $0 | 8, $0 | 7] }
        #expect(Self.firstDifference(sorting: hashes) == nil)
    }
}
