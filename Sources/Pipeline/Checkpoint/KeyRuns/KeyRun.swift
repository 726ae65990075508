import Foundation

/// Random and sequential reads of a key run's bytes: an open file (`KeyRunFile`) or memory (tests).
protocol KeyRunSource: Sendable {
    var byteCount: Int { get }
    /// Exactly `count` bytes from `offset`.
    func read(at offset: Int, count: Int) throws -> [UInt8]
}

struct MemoryKeyRunSource: KeyRunSource {
    let bytes: [UInt8]
    var byteCount: Int { bytes.count }
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, offset + count <= bytes.count else { throw KeyRunError.io("read past the end of a key run") }
        return Array(bytes[offset..<offset + count])
    }
}

/// One immutable key run, opened: its filter and sparse index in memory (about 2 bytes per key at the default
/// 16 filter bits per key), its entries read on demand, one 5 KiB block per lookup that passes the filter.
final class KeyRun: Sendable {
    let footer: KeyRunFormat.Footer
    let filter: KeyFilter
    /// The first key of every block of `KeyRunFormat.keysPerBlock` keys.
    let index: [DedupKey]
    let source: any KeyRunSource

    var keyCount: Int { footer.keyCount }

    /// Reads the footer, index and filter, and checks them against the footer's checksum.
    /// - Throws: `KeyRunError.corrupt` when the bytes are not a complete key run; the source's error on I/O.
    init(source: any KeyRunSource) throws {
        guard source.byteCount >= KeyRunFormat.footerBytes else { throw KeyRunError.corrupt("file too short") }
        let footer = try KeyRunFormat.decodeFooter(
            source.read(at: source.byteCount - KeyRunFormat.footerBytes, count: KeyRunFormat.footerBytes),
            fileBytes: source.byteCount)
        let indexBytes = try source.read(at: footer.indexOffset, count: footer.indexCount * KeyRunFormat.keyBytes)
        let filterBytes = try source.read(at: footer.filterOffset, count: footer.footerOffset - footer.filterOffset)
        var checksum: UInt64 = 0
        let index = indexBytes.withUnsafeBytes { raw in
            (0..<footer.indexCount).map { i in
                let key = KeyRunFormat.load(from: raw, at: i * KeyRunFormat.keyBytes)
                checksum = KeyRunFormat.fold(KeyRunFormat.fold(checksum, key.high), key.low)
                return key
            }
        }
        let filter = KeyFilter(blockCount: footer.filterBlocks) { out in
            filterBytes.withUnsafeBytes { raw in
                for i in out.indices {
                    let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                    checksum = KeyRunFormat.fold(checksum, word)
                    out.initializeElement(at: i, to: word)
                }
            }
        }
        guard checksum == footer.checksum, let filter else {
            throw KeyRunError.corrupt("checksum mismatch in index or filter")
        }
        self.footer = footer
        self.index = index
        self.filter = filter
        self.source = source
    }

    /// The keys of `candidates` (ascending) that the run holds with a commit time not before `notBefore`;
    /// reads one block per distinct block visited, or for a key alone in its block, the entries around it
    /// (`lookInWindow`).
    func find(sortedCandidates candidates: [DedupKey], notBefore: Int64 = .min) throws -> [DedupKey] {
        var found: [DedupKey] = []
        var cachedBlock = -1
        var block: [UInt8] = []
        let blocks = candidates.map(blockIndex(of:))
        for (i, key) in candidates.enumerated() {
            let b = blocks[i]
            guard b >= 0 else { continue }
            let alone = b != cachedBlock && (i + 1 == blocks.count || blocks[i + 1] != b)
            let at: Int64?
            switch alone ? try lookInWindow(for: key, inBlock: b) : .undecided {
            case .stored(let t): at = t
            case .absent: at = nil
            case .undecided:
                if b != cachedBlock {
                    block = try readBlock(b)
                    cachedBlock = b
                }
                at = time(of: key, inBlock: block)
            }
            if let at, at >= notBefore { found.append(key) }
        }
        return found
    }

    /// The block that would hold `key`: the last block whose first key is ≤ `key`, or -1.
    func blockIndex(of key: DedupKey) -> Int {
        var lo = 0, hi = index.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if key < index[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo - 1
    }

    /// The bytes of block `b` (up to 256 entries), checked to start with the index's key.
    func readBlock(_ b: Int) throws -> [UInt8] {
        let first = b * KeyRunFormat.keysPerBlock
        let count = min(KeyRunFormat.keysPerBlock, footer.keyCount - first)
        let bytes = try source.read(at: first * KeyRunFormat.entryBytes, count: count * KeyRunFormat.entryBytes)
        let head = bytes.withUnsafeBytes { KeyRunFormat.load(from: $0, at: 0) }
        guard head == index[b] else { throw KeyRunError.corrupt("key block \(b) does not match the index") }
        return bytes
    }

    /// The commit time of `key` in `block` (unix seconds), nil when absent.
    func time(of key: DedupKey, inBlock block: [UInt8]) -> Int64? {
        block.withUnsafeBytes { raw in
            var lo = 0, hi = raw.count / KeyRunFormat.entryBytes
            while lo < hi {
                let mid = (lo + hi) / 2
                let k = KeyRunFormat.load(from: raw, at: mid * KeyRunFormat.entryBytes)
                if k == key { return footer.baseAt + Int64(KeyRunFormat.loadDelta(from: raw, at: mid * KeyRunFormat.entryBytes)) }
                if k < key { lo = mid + 1 } else { hi = mid }
            }
            return nil
        }
    }

    /// Reads all keys in order, `chunkKeys` at a time (for merging).
    func cursor(chunkKeys: Int = 65_536) -> KeyRunCursor { KeyRunCursor(run: self, chunkKeys: chunkKeys) }
}

/// Sequential reader of a run's keys.
struct KeyRunCursor {
    let run: KeyRun
    let chunkKeys: Int
    private var chunk: [UInt8] = []
    private var position = 0      // index of the next key in the run
    private var chunkStart = 0    // index of the first key in `chunk`

    init(run: KeyRun, chunkKeys: Int) {
        self.run = run
        self.chunkKeys = chunkKeys
    }

    /// The next key and its commit time (unix seconds), or nil at the end.
    mutating func next() throws -> (key: DedupKey, at: Int64)? {
        guard position < run.keyCount else { return nil }
        let inChunk = position - chunkStart
        if chunk.isEmpty || inChunk * KeyRunFormat.entryBytes >= chunk.count {
            let count = min(chunkKeys, run.keyCount - position)
            chunk = try run.source.read(at: position * KeyRunFormat.entryBytes, count: count * KeyRunFormat.entryBytes)
            chunkStart = position
        }
        let offset = (position - chunkStart) * KeyRunFormat.entryBytes
        position += 1
        let base = run.footer.baseAt
        return chunk.withUnsafeBytes { (KeyRunFormat.load(from: $0, at: offset), base + Int64(KeyRunFormat.loadDelta(from: $0, at: offset))) }
    }
}
