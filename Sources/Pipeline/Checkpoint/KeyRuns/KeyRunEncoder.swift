/// Where an encoder's bytes go: a file (`KeyRunFile`) or memory (tests).
protocol KeyRunSink {
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Bytes in memory.
struct MemoryKeyRunSink: KeyRunSink {
    var bytes: [UInt8] = []
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
}

/// Streams strictly ascending keys with their commit times into the key run layout (`KeyRunFormat`): entries
/// go out in 1 MiB chunks as they come; the sparse index and the filter are kept in memory and written by `finish`.
struct KeyRunEncoder<Sink: KeyRunSink> {
    private(set) var sink: Sink
    private var filter: KeyFilter
    private var index: [DedupKey] = []
    private var buffer: [UInt8]
    private var buffered = 0
    private(set) var keyCount = 0
    private var last: DedupKey?
    private let baseAt: Int64
    private static var chunkBytes: Int { 52_428 * KeyRunFormat.entryBytes }

    /// - Parameter capacity: an upper bound of the keys to come (sizes the filter; more keys raise its
    ///   false-positive rate).
    ///   `baseAt`: the earliest commit time (unix seconds) of the keys to come.
    init(sink: Sink, capacity: Int, baseAt: Int64, bitsPerKey: Int = KeyFilter.defaultBitsPerKey) {
        self.sink = sink
        self.baseAt = baseAt
        filter = KeyFilter(capacity: capacity, bitsPerKey: bitsPerKey)
        buffer = [UInt8](repeating: 0, count: Self.chunkBytes)
    }

    /// Appends `key` committed at `at` (unix seconds, from baseAt to baseAt + 2³² − 1); the key must be greater
    /// than the previous one (`KeyRunError.corrupt` otherwise).
    mutating func append(_ key: DedupKey, at: Int64) throws {
        if let last, !(last < key) { throw KeyRunError.corrupt("keys out of order or repeated while writing a run") }
        guard at >= baseAt, at - baseAt <= Int64(UInt32.max) else { throw KeyRunError.corrupt("commit time \(at) outside the run's range") }
        last = key
        if keyCount % KeyRunFormat.keysPerBlock == 0 { index.append(key) }
        filter.insert(KeyProbe(key))
        let offset = buffered, delta = UInt32(at - baseAt)
        buffer.withUnsafeMutableBytes { KeyRunFormat.storeEntry(key, delta: delta, into: $0, at: offset) }
        buffered += KeyRunFormat.entryBytes
        keyCount += 1
        if buffered == buffer.count { try flush() }
    }

    private mutating func flush() throws {
        guard buffered > 0 else { return }
        let n = buffered
        try buffer.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        buffered = 0
    }

    /// Writes the index, the filter and the footer. Returns the footer.
    mutating func finish() throws -> KeyRunFormat.Footer {
        try flush()
        var checksum: UInt64 = 0
        var indexBytes = [UInt8](repeating: 0, count: index.count * KeyRunFormat.keyBytes)
        indexBytes.withUnsafeMutableBytes { out in
            for (i, key) in index.enumerated() {
                KeyRunFormat.store(key, into: out, at: i * KeyRunFormat.keyBytes)
                checksum = KeyRunFormat.fold(KeyRunFormat.fold(checksum, key.high), key.low)
            }
        }
        try indexBytes.withUnsafeBytes { try sink.write($0) }
        var words = filter.words
        for i in words.indices {
            checksum = KeyRunFormat.fold(checksum, words[i])
            words[i] = words[i].littleEndian
        }
        try words.withUnsafeBytes { try sink.write($0) }
        let footer = KeyRunFormat.Footer(keyCount: keyCount, filterBlocks: filter.blockCount, checksum: checksum, baseAt: baseAt)
        try KeyRunFormat.encode(footer).withUnsafeBytes { try sink.write($0) }
        return footer
    }
}
