/// One ended day's keys as a register-blocked Bloom filter: `wordCount` 64-bit words; a key sets `bitsPerProbe`
/// bits (six bits of `h2` each) in the one word chosen by `h1` (multiply-shift, as `KeyFilter` chooses its
/// blocks). Sized at 16 bits per key: about 0.4% false positives (measured in DayFilterTests).
///
/// Days share one `EndedDaysFilter` only when their word counts are equal, so a new day takes the size of the
/// days before it as long as its keys fit that size within `sizeTolerance` (`wordCount(forKeys:preferring:)`).
/// Kept beside its run as `DayFilterFile`.
struct DayFilter: Sendable, Equatable {
    static let bitsPerProbe = 7
    static let bitsPerKey = 16
    /// A day keeps the previous days' size while its own would be within this factor of it.
    static let sizeTolerance = 1.5
    static let maxWords = 1 << 37
    let wordCount: Int
    private(set) var words: [UInt64]

    /// An empty filter of `wordCount` words (at least one).
    init(wordCount: Int) {
        precondition((1...Self.maxWords).contains(wordCount), "day filter size out of range")
        self.wordCount = wordCount
        words = [UInt64](repeating: 0, count: wordCount)
    }

    /// A filter over stored words; nil when there are none or too many.
    init?(words: [UInt64]) {
        guard (1...Self.maxWords).contains(words.count) else { return nil }
        wordCount = words.count
        self.words = words
    }

    /// The word count for `keys` keys: 16 bits per key, or `preferred` (the size of the days before) when that
    /// is within `sizeTolerance` of it.
    static func wordCount(forKeys keys: Int, preferring preferred: Int? = nil) -> Int {
        let own = min(maxWords, max(1, keys * bitsPerKey / 64))
        guard let preferred, preferred > 0 else { return own }
        let ratio = Double(own) / Double(preferred)
        return ratio <= sizeTolerance && ratio >= 1 / sizeTolerance ? preferred : own
    }

    /// The word of `probe` among `count` words.
    @inline(__always)
    static func word(_ probe: KeyProbe, count: Int) -> Int {
        Int(truncatingIfNeeded: probe.h1.multipliedFullWidth(by: UInt64(count)).high)
    }

    /// The bits `probe` sets in its word.
    @inline(__always)
    static func mask(_ probe: KeyProbe) -> UInt64 {
        var m: UInt64 = 0
        for i in 0..<bitsPerProbe { m |= 1 &<< ((probe.h2 &>> UInt64(6 * i)) & 63) }
        return m
    }

    mutating func insert(_ probe: KeyProbe) {
        words[Self.word(probe, count: wordCount)] |= Self.mask(probe)
    }

    /// False only when the key was never inserted.
    func mayContain(_ probe: KeyProbe) -> Bool {
        let m = Self.mask(probe)
        return words[Self.word(probe, count: wordCount)] & m == m
    }
}
