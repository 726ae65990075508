#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An object key read without making a `String` of it: a root member's key before it is matched against the
/// declared names, or a key inside a value being skipped. Its UTF-8 bytes are in the input when it has no escape,
/// else decoded in `JSONParser.escapedKeyBytes`; `fingerprint` (equal keys have equal fingerprints) lets duplicate
/// checks compare integers and rarely bytes.
struct SkippedKey {
    let start: Int
    let count: Int
    let inArena: Bool
    /// Whether the key is written in ASCII with no escape.
    let isASCII: Bool
    let fingerprint: UInt64
}

extension JSONParser {
    /// Reads the key whose opening quote is at `i`, checked as `parseString` checks it (same rejections at the same
    /// offsets); leaves `i` past the closing quote.
    mutating func scanSkippedKey() throws(JSONDecodeError) -> SkippedKey {
        i += 1
        let start = i
        let ascii = try scanPlainText()
        if p[i] == UInt8(ascii: "\\") {
            var decoded = try parseEscapedString(from: start)
            let arenaStart = escapedKeyBytes.count
            let count = decoded.withUTF8 { utf8 in
                escapedKeyBytes.append(contentsOf: utf8)
                return utf8.count
            }
            let fingerprint = escapedKeyBytes.withUnsafeBufferPointer { Self.fingerprint($0.baseAddress! + arenaStart, count) }
            return SkippedKey(start: arenaStart, count: count, inArena: true, isASCII: false, fingerprint: fingerprint)
        }
        let key = SkippedKey(start: start, count: i - start, inArena: false, isASCII: ascii,
                             fingerprint: Self.fingerprint(p + start, i - start))
        i += 1
        return key
    }

    /// A 64-bit digest of `count` bytes at `bytes`: their first and last eight bytes and their number.
    @inline(__always)
    static func fingerprint(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(bytes)
        var first: UInt64 = 0, last: UInt64 = 0
        if count >= 8 {
            first = raw.loadUnaligned(as: UInt64.self)
            last = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            for k in 0..<count { first |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        }
        return (first &* 0x9E37_79B9_7F4A_7C15) ^ (last &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(count)
    }

    /// The index of the declared name `key` is (by code points), `key` being its object's `position`-th member
    /// (see `DeclaredMembers.index(of:count:fingerprint:position:)`); nil for an undeclared key.
    func declaredIndex(of key: SkippedKey, in declared: DeclaredMembers, position: Int) -> Int? {
        if key.inArena {
            return escapedKeyBytes.withUnsafeBufferPointer {
                declared.index(of: $0.baseAddress! + key.start, count: key.count, fingerprint: key.fingerprint, position: position)
            }
        }
        return declared.index(of: p + key.start, count: key.count, fingerprint: key.fingerprint, position: position)
    }

    /// Whether `key`, an undeclared key, is canonically equivalent to a declared name (the validator, which matches
    /// names as Swift strings, treats it as that field). An ASCII key never is when every name is ASCII.
    func isEquivalentToDeclared(_ key: SkippedKey, _ declared: DeclaredMembers) -> Bool {
        !(key.isASCII && declared.allASCII) && declared.isEquivalent(string(of: key))
    }

    /// The key as a `String`.
    func string(of key: SkippedKey) -> String {
        if !key.inArena { return String(decoding: UnsafeBufferPointer(start: p + key.start, count: key.count), as: UTF8.self) }
        return escapedKeyBytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[key.start..<(key.start + key.count)]), as: UTF8.self)
        }
    }

    /// Whether two keys have the same bytes (the same code points).
    func sameKey(_ a: SkippedKey, _ b: SkippedKey) -> Bool {
        guard a.fingerprint == b.fingerprint, a.count == b.count else { return false }
        if !a.inArena && !b.inArena { return memcmp(p + a.start, p + b.start, a.count) == 0 }
        return escapedKeyBytes.withUnsafeBufferPointer { arena in
            let x = a.inArena ? arena.baseAddress! + a.start : p + a.start
            let y = b.inArena ? arena.baseAddress! + b.start : p + b.start
            return memcmp(x, y, a.count) == 0
        }
    }

    /// Pushes `key` (read at offset `at`) onto `skippedKeys`, above the keys `skippedKeys[frame.keyStart...]` of
    /// its object, or rejects it as a duplicate. Up to 32 keys, the frame's 128-bit filter of fingerprints
    /// (`frame.keyFilter`, one bit per key) tells most new keys apart with no scan; only on a hit are the
    /// fingerprints scanned. Past 32 keys, a hash set of the keys as strings (`frame.seen`), as for objects that
    /// are built.
    mutating func pushSkippedKey(_ key: SkippedKey, at: Int, _ frame: inout Frame) throws(JSONDecodeError) {
        let start = frame.keyStart
        if frame.seen != nil {
            if frame.seen!.insert(CodePointKey(string(of: key))).inserted == false { throw fail(.duplicateKey, at) }
        } else {
            let bit = key.fingerprint >> 57
            let mask: UInt64 = 1 << (bit & 63)
            let hit = (bit < 64 ? frame.keyFilter.low : frame.keyFilter.high) & mask != 0
            if hit {
                for k in start..<skippedKeys.count where sameKey(skippedKeys[k], key) { throw fail(.duplicateKey, at) }
            }
            if bit < 64 { frame.keyFilter.low |= mask } else { frame.keyFilter.high |= mask }
            if skippedKeys.count - start >= 32 {
                frame.seen = Set(skippedKeys[start...].map { CodePointKey(string(of: $0)) })
                frame.seen!.insert(CodePointKey(string(of: key)))
            }
        }
        skippedKeys.append(key)
    }
}
