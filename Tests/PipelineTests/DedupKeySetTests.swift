import Testing
@testable import Pipeline

/// The uncommitted window's key set: answers exactly as `Set<DedupKey>` does, through growth, unions and the
/// all-zero key that marks its empty slots. No I/O.
@Suite struct DedupKeySetTests {
    /// Random keys (a seeded generator, so a failure repeats), with the zero key and keys differing in one half.
    func keys(_ n: Int, seed: UInt64) -> [DedupKey] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var out = (0..<n).map { _ in DedupKey(high: next(), low: next()) }
        out += [DedupKey(high: 0, low: 0), DedupKey(high: 0, low: 7), DedupKey(high: 7, low: 0)]
        return out
    }

    @Test func agreesWithSetThroughGrowth() {
        var set = DedupKeySet()
        var reference = Set<DedupKey>()
        let inserted = keys(5_000, seed: 1)
        // Every key twice, interleaved: the second insert of each must say "already there".
        for (i, key) in (inserted + inserted.shuffled()).enumerated() {
            let added = set.insert(key), expected = reference.insert(key).inserted
            #expect(added == expected, "insert #\(i) of \(key)")
        }
        #expect(set.count == reference.count)
        for key in inserted { #expect(set.contains(key)) }
        for key in keys(5_000, seed: 2).dropLast(3) { #expect(set.contains(key) == reference.contains(key)) }
    }

    @Test func theZeroKeyIsAKeyLikeAnyOther() {
        var set = DedupKeySet(minimumCapacity: 4)
        let zero = DedupKey(high: 0, low: 0)
        #expect(!set.contains(zero) && set.isEmpty)
        let first = set.insert(zero), second = set.insert(zero)
        #expect(first)
        #expect(!second, "a second insert of the zero key is a duplicate")
        #expect(set.contains(zero) && set.count == 1)
        #expect(!set.contains(DedupKey(high: 0, low: 1)), "an empty table answers no for other keys")
    }

    @Test func unionHoldsBothAndRemoveAllForgets() {
        let all = keys(3_000, seed: 3)
        var a = DedupKeySet(), b = DedupKeySet()
        for key in all[..<2_000] { a.insert(key) }
        for key in all[1_000...] { b.insert(key) }
        a.formUnion(b)
        #expect(a.count == Set(all).count)
        for key in all { #expect(a.contains(key)) }
        a.removeAll()
        #expect(a.isEmpty)
        for key in all { #expect(!a.contains(key)) }
        #expect(b.count == all.count - 1_000, "the union left its argument as it was")
    }

    @Test func reservedCapacityTakesItsKeysAndMore() {
        var set = DedupKeySet(minimumCapacity: 100)
        let all = keys(1_000, seed: 4)
        for key in all {
            let added = set.insert(key)
            #expect(added)
        }
        #expect(set.count == all.count, "grew past the reservation")
        for key in all { #expect(set.contains(key)) }
    }
}
