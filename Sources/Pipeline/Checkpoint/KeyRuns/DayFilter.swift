import Foundation

/// One ended day's keys as a register-blocked Bloom filter: 2^`log2Words` 64-bit words; a key sets
/// `bitsPerProbe` bits (six bits of `h2` each) in the one word chosen by the high bits of `h1`, as `KeyFilter`
/// chooses its blocks. Sized at about 16 bits per key (between 11.3 and 22.6, the word count being a power of
/// two): about 0.4% false positives at 16 bits per key and 0.15% at 21 (measured in DayFilterTests).
///
/// A power-of-two size lets days of different sizes share one `EndedDaysFilter`: a larger day is folded (the
/// words of a key's possible positions ORed together), a smaller one repeated; either way every inserted key
/// still passes. Kept beside its run as `DayFilterFile`.
struct DayFilter: Sendable, Equatable {
    static let bitsPerProbe = 7
    static let maxLog2Words = 40
    let log2Words: Int
    private(set) var words: [UInt64]

    /// An empty filter of 2^`log2Words` words.
    init(log2Words: Int) {
        precondition((0...Self.maxLog2Words).contains(log2Words), "day filter size out of range")
        self.log2Words = log2Words
        words = [UInt64](repeating: 0, count: 1 << log2Words)
    }

    /// An empty filter sized for `capacity` keys (the power of two of words nearest to 16 bits per key).
    init(capacity: Int) {
        self.init(log2Words: Self.log2Words(forKeys: capacity))
    }

    /// A filter over stored words; nil unless their count is 2^`log2Words`.
    init?(log2Words: Int, words: [UInt64]) {
        guard (0...Self.maxLog2Words).contains(log2Words), words.count == 1 << log2Words else { return nil }
        self.log2Words = log2Words
        self.words = words
    }

    /// log2 of the word count nearest to 16 bits per key (at least one word).
    static func log2Words(forKeys keys: Int) -> Int {
        let words = Double(max(keys, 1)) * 16 / 64
        return min(maxLog2Words, max(0, Int(log2(words).rounded())))
    }

    /// The word of `probe` among 2^`log2Words` words.
    @inline(__always)
    static func word(_ probe: KeyProbe, log2Words: Int) -> Int {
        log2Words == 0 ? 0 : Int(truncatingIfNeeded: probe.h1 &>> UInt64(64 - log2Words))
    }

    /// The bits `probe` sets in its word.
    @inline(__always)
    static func mask(_ probe: KeyProbe) -> UInt64 {
        var m: UInt64 = 0
        for i in 0..<bitsPerProbe { m |= 1 &<< ((probe.h2 &>> UInt64(6 * i)) & 63) }
        return m
    }

    mutating func insert(_ probe: KeyProbe) {
        words[Self.word(probe, log2Words: log2Words)] |= Self.mask(probe)
    }

    /// False only when the key was never inserted.
    func mayContain(_ probe: KeyProbe) -> Bool {
        let m = Self.mask(probe)
        return words[Self.word(probe, log2Words: log2Words)] & m == m
    }

    /// The word that stands for this day in block `block` of 2^`log2Blocks`: the OR of the words whose keys
    /// fall in that block (folding a larger filter), or the one word covering it (repeating a smaller one).
    @inline(__always)
    func word(forBlock block: Int, of log2Blocks: Int) -> UInt64 {
        if log2Words == log2Blocks { return words[block] }
        if log2Words < log2Blocks { return words[block >> (log2Blocks - log2Words)] }
        let shift = log2Words - log2Blocks
        var w: UInt64 = 0
        for i in (block << shift)..<((block + 1) << shift) { w |= words[i] }
        return w
    }
}
