import Testing
@testable import Pipeline

/// The ended days' filters without I/O: one day's register-blocked filter, the eight-slot table, its slots'
/// owners, and the day filter file's bytes.
@Suite struct DayFilterTests {
    func filter(_ keys: [DedupKey], words: Int? = nil) -> DayFilter {
        var day = DayFilter(wordCount: words ?? DayFilter.wordCount(forKeys: keys.count))
        for k in keys { day.insert(KeyProbe(k)) }
        return day
    }

    @Test func aDayFilterHasNoFalseNegativesAndFewFalsePositives() {
        var source = KeySource(seed: 31)
        let stored = source.keys(200_000)
        let day = filter(stored)
        #expect(day.wordCount == 50_000, "200,000 keys × 16 bits / 64")
        #expect(stored.allSatisfy { day.mayContain(KeyProbe($0)) })
        let absent = source.keys(1_000_000)
        let positives = absent.filter { day.mayContain(KeyProbe($0)) }.count
        // 16 bits per key, 7 bits in one 64-bit word: ~0.4% expected; an empty or broken filter gives 100%.
        #expect(positives < 6_000, "false positives: \(positives) of 1,000,000")
        #expect(DayFilter.wordCount(forKeys: 0) == 1)
        #expect(DayFilter.wordCount(forKeys: 1_000_000, preferring: 200_000) == 200_000, "within 1.5× of the days before")
        #expect(DayFilter.wordCount(forKeys: 1_000_000, preferring: 100_000) == 250_000, "too far from them: its own")
    }

    @Test func theTableAnswersForEachDayWithoutFalseNegatives() {
        var source = KeySource(seed: 32)
        // Days of different key counts at one size (4,096 words: 2.2 to 33 bits per key).
        let days = [source.keys(1_000), source.keys(3_000), source.keys(15_000)]
        let filters = days.map { filter($0, words: 4_096) }
        var table = EndedDaysFilter(blockCount: 4_096)
        for (slot, day) in [3, 0, 7].enumerated().map({ ($1, filters[$0]) }) { table.fill(slot: slot, with: day) }
        for (keys, slot) in zip(days, [3, 0, 7]) {
            #expect(keys.allSatisfy { table.mask(KeyProbe($0)) & (1 << slot) != 0 }, "slot \(slot)")
        }
        let absent = source.keys(100_000)
        let masks = absent.map { table.mask(KeyProbe($0)) }
        #expect(masks.allSatisfy { $0 & ~0b1000_1001 == 0 }, "empty slots answer no")
        // Each slot answers exactly as its day's filter does.
        for (f, slot) in zip(filters, [3, 0, 7]) {
            #expect(zip(absent, masks).allSatisfy { f.mayContain(KeyProbe($0)) == ($1 & (1 << slot) != 0) })
        }
        #expect(masks.filter { $0 != 0 }.count < 20_000)
        // Refilling a slot replaces that day: the old day's keys are gone from it, the others stay.
        table.fill(slot: 3, with: filter(source.keys(1_000), words: 4_096))
        #expect(days[0].filter { table.mask(KeyProbe($0)) & (1 << 3) != 0 }.count < 100)
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
        // A day of another size gets no slot, even a free one.
        #expect(ended.install([(id: 10, filter: DayFilter(wordCount: 7))], keep: all.subtracting([1, 2]).union([10])).isEmpty)
        #expect(ended.covered == Set(3...9))
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
