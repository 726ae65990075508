import Testing
import WeirTestSupport
@testable import Pipeline

/// Random-looking keys (a seeded generator), never sequential ids.
struct KeySource {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> DedupKey {
        DedupKey(high: KeyProbe.mix(step()), low: KeyProbe.mix(step()))
    }
    private mutating func step() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return state
    }
    mutating func keys(_ n: Int) -> [DedupKey] { (0..<n).map { _ in next() } }
}

func encodeRun(_ keys: [DedupKey], at: Int64 = 1_000) throws -> [UInt8] {
    var encoder = KeyRunEncoder(sink: MemoryKeyRunSink(), capacity: keys.count, baseAt: at)
    for k in keys.sorted() { try encoder.append(k, at: at) }
    _ = try encoder.finish()
    return encoder.sink.bytes
}

@Suite struct KeyFilterTests {
    @Test func noFalseNegativesAndAboutOnePerMilleFalsePositives() {
        var source = KeySource(seed: 1)
        let stored = source.keys(200_000)
        var filter = KeyFilter(capacity: stored.count)
        for k in stored { filter.insert(KeyProbe(k)) }
        #expect(stored.allSatisfy { filter.mayContain(KeyProbe($0)) })
        let absent = source.keys(1_000_000)
        let positives = absent.filter { filter.mayContain(KeyProbe($0)) }.count
        // 16 bits per key, 8 bits in a 512-bit block: ~0.05-0.1% expected; an empty or broken filter gives 100%.
        #expect(positives < 2_000, "false positives: \(positives) of 1,000,000")
        #expect(filter.blockCount == 200_000 * 16 / 512)
    }

    @Test func batchProbesAnswerAsSingleProbes() {
        var source = KeySource(seed: 2)
        let stored = source.keys(20_000)
        var filter = KeyFilter(capacity: stored.count, bitsPerKey: 4)  // few bits: many false positives to compare
        for k in stored { filter.insert(KeyProbe(k)) }
        var rng = SplitMix64(seed: 3)
        let mixed = (stored.prefix(3_000) + source.keys(3_000)).shuffled(using: &rng)
        for count in [0, 1, KeyFilter.prefetchDistance - 1, KeyFilter.prefetchDistance, mixed.count] {
            let probes = mixed.prefix(count).map(KeyProbe.init)
            var answered: [Int] = []
            filter.forEachMayContain(probes) { answered.append($0) }
            #expect(answered == probes.indices.filter { filter.mayContain(probes[$0]) }, "\(count) probes")
        }
    }

    @Test func blocksAreCacheLinesAndLargeFiltersHugePageAligned() {
        for words in [8, 64, 8 << 10] {
            #expect(Int(bitPattern: KeyFilterWords(zeros: words).buffer.baseAddress) % 64 == 0)
        }
        #expect(Int(bitPattern: KeyFilterWords(zeros: 1 << 20).buffer.baseAddress) % (2 << 20) == 0)  // 8 MiB
    }

    @Test func insertingIntoACopyLeavesTheOriginal() {
        var original = KeyFilter(capacity: 100)
        original.insert(KeyProbe(DedupKey(high: 1, low: 1)))
        var copy = original
        copy.insert(KeyProbe(DedupKey(high: 2, low: 2)))
        #expect(original.words != copy.words)
        #expect(copy.mayContain(KeyProbe(DedupKey(high: 1, low: 1))))
    }

    @Test func wordsRoundTrip() {
        var filter = KeyFilter(capacity: 10)
        let k = DedupKey(high: 1, low: 2)
        filter.insert(KeyProbe(k))
        let words = filter.words
        let read = KeyFilter(blockCount: words.count / KeyFilter.wordsPerBlock) { _ = $0.initialize(fromContentsOf: words) }
        #expect(read?.mayContain(KeyProbe(k)) == true)
        #expect(read?.words == words)
        #expect(KeyFilter(blockCount: 0) { _ in } == nil)
    }
}

@Suite struct KeyRunFormatTests {
    @Test(arguments: [0, 1, 255, 256, 257, 5_000])
    func encodedRunFindsExactlyItsKeys(count: Int) throws {
        var source = KeySource(seed: UInt64(count) + 7)
        let keys = source.keys(count)
        let bytes = try encodeRun(keys)
        let footer = KeyRunFormat.Footer(keyCount: count, filterBlocks: max(1, (count * 16 + 511) / 512), checksum: 0, baseAt: 0)
        #expect(bytes.count == footer.fileBytes)
        let run = try KeyRun(source: MemoryKeyRunSource(bytes: bytes))
        #expect(run.keyCount == count && run.index.count == (count + 255) / 256)
        let absent = source.keys(300)
        let candidates = (keys + absent + [DedupKey(high: 0, low: 0), DedupKey(high: .max, low: .max)]).sorted()
        #expect(Set(try run.find(sortedCandidates: candidates)) == Set(keys))
        #expect(try run.find(sortedCandidates: candidates, notBefore: 1_001).isEmpty, "all stamped 1000")
        var cursor = run.cursor(chunkKeys: 100)
        var read: [DedupKey] = []
        while let e = try cursor.next() {
            read.append(e.key)
            #expect(e.at == 1_000)
        }
        #expect(read == keys.sorted())
    }

    @Test func loneKeysAreFoundThroughTheEntriesAroundThem() throws {
        var source = KeySource(seed: 5)
        let keys = source.keys(20_000)  // 79 blocks, the last one short
        let run = try KeyRun(source: MemoryKeyRunSource(bytes: try encodeRun(keys, at: 1_000)))
        let stored = Set(keys)
        for key in keys.prefix(1_000) + source.keys(1_000) + [keys.max()!, keys.min()!] {
            #expect(try run.find(sortedCandidates: [key]) == (stored.contains(key) ? [key] : []))
        }
        var undecided = 0
        for key in keys {
            switch try run.lookInWindow(for: key, inBlock: run.blockIndex(of: key)) {
            case .stored(let at): #expect(at == 1_000)
            case .absent: Issue.record("a stored key found absent in its window")
            case .undecided: undecided += 1
            }
        }
        #expect(undecided < 400, "\(undecided) of 20,000 undecided (the last block's 32 always are)")
    }

    @Test func rejectsKeysOutOfOrderOrRepeated() throws {
        var encoder = KeyRunEncoder(sink: MemoryKeyRunSink(), capacity: 2, baseAt: 100)
        try encoder.append(DedupKey(high: 1, low: 5), at: 100)
        #expect(throws: KeyRunError.self) { try encoder.append(DedupKey(high: 1, low: 5), at: 100) }
        #expect(throws: KeyRunError.self) { try encoder.append(DedupKey(high: 0, low: 9), at: 100) }
        #expect(throws: KeyRunError.self) { try encoder.append(DedupKey(high: 2, low: 0), at: 99) }
        #expect(throws: KeyRunError.self) { try encoder.append(DedupKey(high: 2, low: 0), at: 100 + (1 << 32)) }
    }

    @Test func detectsDamage() throws {
        var source = KeySource(seed: 3)
        let bytes = try encodeRun(source.keys(1_000))
        var flippedFilter = bytes
        flippedFilter[bytes.count - KeyRunFormat.footerBytes - 3] ^= 0x40
        #expect(throws: KeyRunError.self) { _ = try KeyRun(source: MemoryKeyRunSource(bytes: flippedFilter)) }
        #expect(throws: KeyRunError.self) { _ = try KeyRun(source: MemoryKeyRunSource(bytes: Array(bytes.dropLast(1)))) }
        #expect(throws: KeyRunError.self) { _ = try KeyRun(source: MemoryKeyRunSource(bytes: Array(bytes.dropFirst(16)))) }
        var flippedKey = bytes
        flippedKey[256 * KeyRunFormat.entryBytes] ^= 0x01  // the first key of block 1
        let run = try KeyRun(source: MemoryKeyRunSource(bytes: flippedKey))
        #expect(throws: KeyRunError.self) { _ = try run.readBlock(1) }
        let inBlock1 = run.index[1]  // read intact from the index; its window starts at the damaged entry
        #expect(throws: KeyRunError.self) { _ = try run.lookInWindow(for: inBlock1, inBlock: 1) }
    }

    @Test func mergeWritesTheUnionOnceWithEachKeysLatestTime() throws {
        var source = KeySource(seed: 11)
        let a = source.keys(3_000), b = source.keys(2_000), c = source.keys(10)
        let runs = try [(a, 1_000), (b + Array(a.prefix(500)), 2_000), (c + Array(b.prefix(3)), 500)].map {
            try KeyRun(source: MemoryKeyRunSource(bytes: encodeRun($0.0, at: Int64($0.1))))
        }
        var encoder = KeyRunEncoder(sink: MemoryKeyRunSink(), capacity: 5_513, baseAt: 500)
        #expect(try KeyRunMerger.merge(runs, into: &encoder) == 5_010)
        _ = try encoder.finish()
        let merged = try KeyRun(source: MemoryKeyRunSource(bytes: encoder.sink.bytes))
        var cursor = merged.cursor()
        var read: [DedupKey: Int64] = [:]
        var order: [DedupKey] = []
        while let e = try cursor.next() {
            read[e.key] = e.at
            order.append(e.key)
        }
        #expect(order == Set(a + b + c).sorted())
        var expected: [DedupKey: Int64] = [:]
        for k in a { expected[k] = 1_000 }
        for k in b + a.prefix(500) { expected[k] = 2_000 }
        for k in c { expected[k] = 500 }
        #expect(read == expected)
        #expect(Set(try merged.find(sortedCandidates: order, notBefore: 1_500)) == Set(b + a.prefix(500)))
    }
}
