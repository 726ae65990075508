import Testing
@testable import Pipeline

/// The ended days' filters without I/O: one day's register-blocked filter, the eight-slot table, its slots'
/// owners, and the day filter file's bytes.
@Suite struct DayFilterTests {
    func filter(_ keys: [DedupKey], log2Words: Int? = nil) -> DayFilter {
        var day = log2Words.map { DayFilter(log2Words: $0) } ?? DayFilter(capacity: keys.count)
        for k in keys { day.insert(KeyProbe(k)) }
        return day
    }

    @Test func aDayFilterHasNoFalseNegativesAndFewFalsePositives() {
        var source = KeySource(seed: 31)
        let stored = source.keys(200_000)
        let day = filter(stored)
        #expect(day.log2Words == 16, "200,000 keys × 16 bits / 64 = 50,000 words, nearest power of two 2^16")
        #expect(stored.allSatisfy { day.mayContain(KeyProbe($0)) })
        let absent = source.keys(1_000_000)
        let positives = absent.filter { day.mayContain(KeyProbe($0)) }.count
        // 21 bits per key, 7 bits in one 64-bit word: ~0.15% expected; an empty or broken filter gives 100%.
        #expect(positives < 3_000, "false positives: \(positives) of 1,000,000")
        #expect(DayFilter.log2Words(forKeys: 0) == 0 && DayFilter.log2Words(forKeys: 4) == 0)
    }

    @Test func theTableAnswersForEachDayFoldedOrRepeatedWithoutFalseNegatives() {
        var source = KeySource(seed: 32)
        // Days of different sizes in a table of 2^12 blocks: 2^10 words (repeated), 2^12, 2^14 (folded).
        let days = [source.keys(3_000), source.keys(16_000), source.keys(40_000)]
        let filters = zip(days, [10, 12, 14]).map { filter($0, log2Words: $1) }
        var table = EndedDaysFilter(log2Blocks: 12)
        for (slot, day) in [3, 0, 7].enumerated().map({ ($1, filters[$0]) }) { table.fill(slot: slot, with: day) }
        for (keys, slot) in zip(days, [3, 0, 7]) {
            #expect(keys.allSatisfy { table.mask(KeyProbe($0)) & (1 << slot) != 0 }, "slot \(slot)")
        }
        let absent = source.keys(100_000)
        let masks = absent.map { table.mask(KeyProbe($0)) }
        #expect(masks.allSatisfy { $0 & ~0b1000_1001 == 0 }, "empty slots answer no")
        // Each slot's positives are its day filter's own at the table's size (folding adds some, repeating none).
        #expect(masks.filter { $0 & (1 << 3) != 0 }.count == absent.filter { filters[0].mayContain(KeyProbe($0)) }.count)
        #expect(masks.filter { $0 & 1 != 0 }.count == absent.filter { filters[1].mayContain(KeyProbe($0)) }.count)
        let folded = masks.filter { $0 & (1 << 7) != 0 }.count
        #expect(zip(absent, masks).allSatisfy { !filters[2].mayContain(KeyProbe($0)) || $1 & (1 << 7) != 0 })
        #expect(folded < 20_000, "the folded day (6.5 bits per key here): \(folded)")
        // Refilling a slot replaces that day: the old day's keys are gone from it, the others stay.
        table.fill(slot: 3, with: filter(source.keys(3_000), log2Words: 10))
        #expect(days[0].filter { table.mask(KeyProbe($0)) & (1 << 3) != 0 }.count < 300)
        #expect(days[1].allSatisfy { table.mask(KeyProbe($0)) & 1 != 0 })
    }

    @Test func slotsGoToNewDaysOnlyWhenTheirRunsExpiredOrVanished() {
        var source = KeySource(seed: 33)
        let keys = (0..<9).map { _ in source.keys(500) }
        let days = keys.map { filter($0) }
        let ended = EndedDays()
        #expect(ended.probe([KeyProbe(keys[0][0])]) == nil, "no run has a slot")
        let all = Set<Int64>(1...9)
        #expect(ended.install((1...9).map { (id: Int64($0), filter: days[$0 - 1]) }, keep: all) == Set(1...8), "eight slots")
        #expect(ended.covered == Set(1...8))
        // Run 1 expires (out of `keep`): run 9 takes its slot; run 2's slot stays.
        #expect(ended.install([(id: 9, filter: days[8])], keep: all.subtracting([1])) == [9])
        #expect(ended.covered == Set(2...9))
        let probe = ended.probe(keys[8].map(KeyProbe.init))!
        let slot = probe.slots[9]!
        #expect(probe.masks.allSatisfy { $0 & (1 << slot) != 0 } && probe.slots[1] == nil)
        let two = ended.probe(keys[1].map(KeyProbe.init))!
        #expect(two.masks.allSatisfy { $0 & (1 << two.slots[2]!) != 0 })
        // Nothing kept: the table is made anew for the new day alone.
        #expect(ended.install([(id: 20, filter: days[0])], keep: [20]) == [20] && ended.covered == [20])
    }

    @Test func aDayFilterFileRoundTripsAndIsBoundToItsRun() throws {
        var source = KeySource(seed: 34)
        let keys = source.keys(5_000)
        let run = try KeyRun(source: MemoryKeyRunSource(bytes: encodeRun(keys)))
        let built = try DayFilterFile.build(from: run)
        #expect(built == filter(keys), "rebuilt from the run's entries: the filter of its keys")
        let bytes = DayFilterFile.encode(built, run: run.footer)
        #expect(try DayFilterFile.decode(bytes, run: run.footer) == built)
        var flipped = bytes
        flipped[DayFilterFile.headerBytes + 17] ^= 0x08
        #expect(throws: KeyRunError.self) { _ = try DayFilterFile.decode(flipped, run: run.footer) }
        #expect(throws: KeyRunError.self) { _ = try DayFilterFile.decode(Array(bytes.dropLast(8)), run: run.footer) }
        #expect(throws: KeyRunError.self) { _ = try DayFilterFile.decode([], run: run.footer) }
        let other = try KeyRun(source: MemoryKeyRunSource(bytes: encodeRun(source.keys(5_000))))
        #expect(throws: KeyRunError.self, "another run's filter") { _ = try DayFilterFile.decode(bytes, run: other.footer) }
        #expect(DayFilterFile.name(forRun: "run-ab.keys") == "run-ab.dayfilter")
    }
}
