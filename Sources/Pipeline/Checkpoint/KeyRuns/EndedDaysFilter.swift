/// The filters of up to eight ended days in one table, so that a lookup reads one cache line for all of them:
/// `blockCount` blocks of eight 64-bit words, word `s` of a key's block (chosen by `h1`, as `DayFilter` chooses
/// its word) being slot `s`'s `DayFilter` word; the days must have `blockCount` words. `mask` tells which slots
/// may hold a key.
///
/// A slot is filled from a day's `DayFilter` and replaced as a whole; a day that expires is dropped by ignoring
/// its slot (its words stay until the slot is filled again), so expiry costs nothing. Which run a slot stands for
/// is the caller's (`EndedDays`).
struct EndedDaysFilter: Sendable {
    static let slots = 8
    let blockCount: Int
    private(set) var words: [UInt64]

    /// An empty table of `blockCount` blocks (8 × 8 bytes each), its memory advised for huge pages.
    init(blockCount: Int) {
        precondition((1...DayFilter.maxWords).contains(blockCount), "ended days filter size out of range")
        self.blockCount = blockCount
        let count = Self.slots * blockCount
        words = [UInt64](unsafeUninitializedCapacity: count) { out, initialized in
            HugePages.advise(UnsafeMutableRawBufferPointer(out))
            out.initialize(repeating: 0)
            initialized = count
        }
    }

    /// Replaces slot `slot`'s words by `day`'s, which must have `blockCount` words.
    mutating func fill(slot: Int, with day: DayFilter) {
        precondition((0..<Self.slots).contains(slot) && day.wordCount == blockCount, "day filter does not fit slot \(slot)")
        let blocks = blockCount
        day.words.withUnsafeBufferPointer { d in
            words.withUnsafeMutableBufferPointer { w in
                for b in 0..<blocks { w[b &* Self.slots &+ slot] = d[b] }
            }
        }
    }

    /// Bit `s` is set when slot `s`'s day may hold the key (every bit of its mask set in that slot's word).
    @inline(__always)
    func mask(_ probe: KeyProbe) -> UInt8 {
        let base = DayFilter.word(probe, count: blockCount) &* Self.slots
        let m = DayFilter.mask(probe)
        return words.withUnsafeBufferPointer { w in
            var out: UInt8 = 0
            for s in 0..<Self.slots where w[base &+ s] & m == m { out |= 1 &<< UInt8(s) }
            return out
        }
    }
}
