/// A lone key's lookup in a key block without reading the whole block: keys are uniform hashes, so a key's
/// position among its block's 256 entries follows from where it falls between the block's first key and the next
/// block's (within ±8 entries for one standard deviation), and a window of 48 entries (960 bytes, usually one page
/// of the file) around that estimate holds it, if stored, in all but about one lookup in a thousand. A block read
/// is 5 KiB over two or three pages; at 100M stored keys a commit makes thousands of such reads for keys held in
/// ended days' runs and for filter false positives, one block each.
extension KeyRun {
    /// What the entries around a key's estimated position say.
    enum WindowAnswer: Equatable {
        /// Stored, committed at these unix seconds.
        case stored(at: Int64)
        case absent
        /// The key falls outside the window (or the block is the run's last): read the whole block.
        case undecided
    }

    static let windowEntries = 48

    /// Looks `key` up in the entries of block `b` around its estimated position.
    /// - Throws: `KeyRunError.corrupt` when the window's keys do not lie inside the block's range in the index.
    func lookInWindow(for key: DedupKey, inBlock b: Int) throws -> WindowAnswer {
        guard b + 1 < index.count else { return .undecided }  // the last block may be short, its end unknown
        let first = index[b], next = index[b + 1]
        let span = next.high &- first.high
        guard key >= first, key < next, span > 0 else { return .undecided }
        let perBlock = KeyRunFormat.keysPerBlock, width = Self.windowEntries
        let estimate = Int(Double(key.high &- first.high) / Double(span) * Double(perBlock))
        let start = min(max(estimate - width / 2, 0), perBlock - width)
        let bytes = try source.read(at: (b * perBlock + start) * KeyRunFormat.entryBytes, count: width * KeyRunFormat.entryBytes)
        let (low, high) = bytes.withUnsafeBytes {
            (KeyRunFormat.load(from: $0, at: 0), KeyRunFormat.load(from: $0, at: (width - 1) * KeyRunFormat.entryBytes))
        }
        guard start == 0 ? low == first : low > first, high < next else {
            throw KeyRunError.corrupt("key block \(b) does not match the index")
        }
        if (start > 0 && key < low) || (start + width < perBlock && key > high) { return .undecided }
        return time(of: key, inBlock: bytes).map { .stored(at: $0) } ?? .absent
    }
}
