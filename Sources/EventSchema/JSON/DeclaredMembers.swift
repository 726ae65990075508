#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The member names a caller declares for a root JSON object (a schema's top-level fields), for
/// ``StrictJSONDecoder/decode(_:declared:undeclared:)-(UnsafeRawBufferPointer,_,_)``: the decoder reports where
/// the other members are and, when ``skipsUndeclaredValues`` is set, checks their values without building them.
///
/// A key is *declared* when it has the code points of one of the names (as ``JSONObject`` compares keys). A key
/// that differs from a name but is canonically equivalent to it (`e` + U+0301 for `é`, the Kelvin sign for `K`) is
/// equal to it as a Swift `String`, so a ``Validator`` treats it as that field: the decoder keeps its value, and
/// reports its span too, since by code points it is not the field's key.
///
/// Immutable; create one per schema and share it (a class, so that the decoder reads it without copying).
public final class DeclaredMembers: Sendable {
    /// The declared names, in the order events are expected to follow (a schema's field order), each once. The
    /// decoder gives a declared key its name's `String` (no `String` is made per key).
    let names: [String]
    /// The names' UTF-8, one after the other (`offsets[k]..<offsets[k + 1]` is name `k`), and their fingerprints
    /// (`JSONParser.fingerprint`), for matching keys as bytes.
    private let bytes: [UInt8]
    private let offsets: [Int]
    private let fingerprints: [UInt64]
    /// An open-addressing hash table of the names by fingerprint: `table[slot]` is a name's index + 1, or 0 for an
    /// empty slot; a power of two at least twice the number of names, probed linearly from `fingerprint & mask`.
    private let table: [Int32]
    /// Whether every name is ASCII. An ASCII key is then canonically equivalent to a name only when it is that
    /// name, so an undeclared ASCII key needs no `String` comparison.
    let allASCII: Bool
    /// For each name, whether JSON text can hold it as a key without escapes (no quote, backslash or control
    /// character), as `plainNameLength` needs.
    private let plainNames: [Bool]
    /// Whether the values of undeclared members are only checked, not built, and left out of the decoded object.
    public let skipsUndeclaredValues: Bool

    /// The number of declared names (a name given twice counts once).
    public var count: Int { names.count }

    /// - Parameters:
    ///   - names: the declared member names; a name given twice (by code points) counts once.
    ///   - skipsUndeclaredValues: leave undeclared members out of the decoded object (their values are still
    ///     checked as strictly as any other); only their spans tell where they were.
    public init(_ names: some Sequence<String>, skipsUndeclaredValues: Bool) {
        var unique: [String] = [], seen: Set<CodePointKey> = []
        for name in names where seen.insert(CodePointKey(name)).inserted { unique.append(name) }
        self.names = unique
        var bytes: [UInt8] = [], offsets = [0], fingerprints: [UInt64] = []
        for name in unique {
            let utf8 = Array(name.utf8)
            bytes += utf8
            offsets.append(bytes.count)
            fingerprints.append(utf8.withUnsafeBufferPointer { JSONParser.fingerprint($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) })
        }
        var size = 4
        while size < 2 * unique.count { size *= 2 }
        var table = [Int32](repeating: 0, count: size)
        for (k, fingerprint) in fingerprints.enumerated() {
            var slot = Int(truncatingIfNeeded: fingerprint) & (size - 1)
            while table[slot] != 0 { slot = (slot + 1) & (size - 1) }
            table[slot] = Int32(k + 1)
        }
        self.bytes = bytes
        self.offsets = offsets
        self.fingerprints = fingerprints
        self.table = table
        allASCII = bytes.allSatisfy { $0 < 0x80 }
        plainNames = unique.map { name in name.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") } }
        self.skipsUndeclaredValues = skipsUndeclaredValues
    }

    /// The index in `names` of the name whose UTF-8 is the `count` bytes at `key` (with `fingerprint`, as
    /// `JSONParser.fingerprint` computes it), the key being the `position`-th member of its object: the name at
    /// that position is tried first (events tend to follow the schema's order), then the hash table. nil when the
    /// key is no name by code points.
    @inline(__always)
    func index(of key: UnsafePointer<UInt8>, count: Int, fingerprint: UInt64, position: Int) -> Int? {
        fingerprints.withUnsafeBufferPointer { fingerprints in
            offsets.withUnsafeBufferPointer { offsets in
                bytes.withUnsafeBufferPointer { names -> Int? in
                    @inline(__always) func equal(_ k: Int) -> Bool {
                        fingerprints[k] == fingerprint && offsets[k + 1] - offsets[k] == count
                            && (count == 0 || memcmp(names.baseAddress! + offsets[k], key, count) == 0)
                    }
                    if position < fingerprints.count && equal(position) { return position }
                    return table.withUnsafeBufferPointer { table -> Int? in
                        let mask = table.count - 1
                        var slot = Int(truncatingIfNeeded: fingerprint) & mask
                        while table[slot] != 0 {
                            let k = Int(table[slot]) - 1
                            if equal(k) { return k }
                            slot = (slot + 1) & mask
                        }
                        return nil
                    }
                }
            }
        }
    }

    /// The byte count of the name at `position` when the text at `text` (`available` bytes) starts with it written
    /// as a JSON key without escapes, then the closing quote: the key is then that name. A name containing a quote,
    /// a backslash or a control character never matches (JSON text must escape those). nil otherwise. Used to match
    /// a key in the expected order without scanning it first.
    @inline(__always)
    func plainNameLength(at position: Int, text: UnsafePointer<UInt8>, available: Int) -> Int? {
        guard position < plainNames.count, plainNames[position] else { return nil }
        return offsets.withUnsafeBufferPointer { offsets -> Int? in
            let count = offsets[position + 1] - offsets[position]
            guard count < available, text[count] == UInt8(ascii: "\"") else { return nil }
            let equal = bytes.withUnsafeBufferPointer { count == 0 || memcmp($0.baseAddress! + offsets[position], text, count) == 0 }
            return equal ? count : nil
        }
    }

    /// Whether `key`, no name by code points, equals one as a Swift `String` (is canonically equivalent to it).
    func isEquivalent(_ key: String) -> Bool {
        names.contains { $0 == key }
    }
}
