/// The layout of a key run file: an immutable, sorted set of dedup keys.
///
/// ```
/// entries  keyCount × 20 bytes   DedupKey.bytes (big-endian), strictly ascending, each followed by its commit
///                                time as seconds after baseAt (UInt32, big-endian)
/// index    ⌈keyCount / 256⌉ × 16  the first key of every block of 256 entries (the sparse index)
/// filter   filterBlocks × 64      KeyFilter words, little-endian
/// footer   48 bytes               "WEIRKRUN", version, keys per block, keyCount, filterBlocks, checksum, baseAt
/// ```
/// Each key keeps its own commit time, so a lookup honours the TTL to the second even in a run merged from
/// commits hours apart. The checksum covers the index and the filter (what is held in memory); a key block is
/// checked when read by its position against the index. Numbers in the footer are little-endian.
enum KeyRunFormat {
    static let magic = Array("WEIRKRUN".utf8)
    static let version: UInt32 = 1
    static let keyBytes = 16
    static let entryBytes = 20
    static let keysPerBlock = 256
    static let footerBytes = 48

    struct Footer: Equatable {
        let keyCount: Int
        let filterBlocks: Int
        let checksum: UInt64
        /// Unix seconds the entries' times count from.
        let baseAt: Int64

        var indexCount: Int { (keyCount + KeyRunFormat.keysPerBlock - 1) / KeyRunFormat.keysPerBlock }
        var indexOffset: Int { keyCount * KeyRunFormat.entryBytes }
        var filterOffset: Int { indexOffset + indexCount * KeyRunFormat.keyBytes }
        var footerOffset: Int { filterOffset + filterBlocks * KeyFilter.wordsPerBlock * 8 }
        var fileBytes: Int { footerOffset + KeyRunFormat.footerBytes }
    }

    static func encode(_ footer: Footer) -> [UInt8] {
        var out = magic
        appendLE(&out, UInt64(version) | UInt64(keysPerBlock) << 32)
        appendLE(&out, UInt64(footer.keyCount))
        appendLE(&out, UInt64(footer.filterBlocks))
        appendLE(&out, footer.checksum)
        appendLE(&out, UInt64(bitPattern: footer.baseAt))
        return out
    }

    /// Parses the last 48 bytes of a file of `fileBytes` bytes.
    /// - Throws: `KeyRunError.corrupt` when the magic, version or sizes do not match.
    static func decodeFooter(_ bytes: [UInt8], fileBytes: Int) throws(KeyRunError) -> Footer {
        guard bytes.count == footerBytes, Array(bytes[0..<8]) == magic else { throw .corrupt("no key run footer") }
        let versionAndBlock = readLE(bytes, at: 8)
        guard UInt32(truncatingIfNeeded: versionAndBlock) == version, Int(versionAndBlock >> 32) == keysPerBlock else {
            throw .corrupt("unsupported key run version \(UInt32(truncatingIfNeeded: versionAndBlock))")
        }
        let keyCount = readLE(bytes, at: 16), filterBlocks = readLE(bytes, at: 24)
        guard keyCount < 1 << 40, filterBlocks > 0, filterBlocks < 1 << 40 else { throw .corrupt("implausible sizes in footer") }
        let footer = Footer(keyCount: Int(keyCount), filterBlocks: Int(filterBlocks), checksum: readLE(bytes, at: 32),
                                baseAt: Int64(bitPattern: readLE(bytes, at: 40)))
        guard footer.fileBytes == fileBytes else {
            throw .corrupt("file is \(fileBytes) bytes, its footer describes \(footer.fileBytes)")
        }
        return footer
    }

    /// Writes `key` as 16 big-endian bytes at `offset`.
    @inline(__always)
    static func store(_ key: DedupKey, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: key.high.bigEndian, toByteOffset: offset, as: UInt64.self)
        buffer.storeBytes(of: key.low.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
    }

    /// Writes an entry: `key` and `delta` (seconds after the run's baseAt).
    @inline(__always)
    static func storeEntry(_ key: DedupKey, delta: UInt32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        store(key, into: buffer, at: offset)
        buffer.storeBytes(of: delta.bigEndian, toByteOffset: offset + 16, as: UInt32.self)
    }

    @inline(__always)
    static func loadDelta(from buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self))
    }

    @inline(__always)
    static func load(from buffer: UnsafeRawBufferPointer, at offset: Int) -> DedupKey {
        DedupKey(high: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                 low: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
    }

    /// A fast running checksum over 64-bit words (not cryptographic: it detects torn or mixed-up files).
    @inline(__always)
    static func fold(_ state: UInt64, _ word: UInt64) -> UInt64 {
        (state ^ word) &* 0x100_0000_01B3 &+ 0x9E37_79B9_7F4A_7C15
    }

    static func appendLE(_ out: inout [UInt8], _ value: UInt64) {
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }

    static func readLE(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in (0..<8).reversed() { v = v << 8 | UInt64(bytes[offset + i]) }
        return v
    }
}

/// A key run file that cannot be used.
enum KeyRunError: Error, CustomStringConvertible {
    case corrupt(String)
    case io(String)

    var description: String {
        switch self {
        case .corrupt(let m): "corrupt key run: \(m)"
        case .io(let m): m
        }
    }
}
