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
    /// The declared names, in the order events are expected to follow (a schema's field order).
    private let names: [CodePointKey]
    /// The names' UTF-8, one after the other (`offsets[k]..<offsets[k + 1]` is name `k`), and their fingerprints
    /// (`JSONParser.fingerprint`), for matching keys as bytes.
    private let bytes: [UInt8]
    private let offsets: [Int]
    private let fingerprints: [UInt64]
    /// `names` hashed, for more than `linearLimit` names (then matched as strings only).
    private let set: Set<CodePointKey>?
    /// Whether every name is ASCII. An ASCII key is then canonically equivalent to a name only when it is that
    /// name, so an undeclared ASCII key needs no `String` comparison.
    private let allASCII: Bool
    /// Whether the values of undeclared members are only checked, not built, and left out of the decoded object.
    public let skipsUndeclaredValues: Bool

    static let linearLimit = 16

    /// - Parameters:
    ///   - names: the declared member names; a name given twice counts once.
    ///   - skipsUndeclaredValues: leave undeclared members out of the decoded object (their values are still
    ///     checked as strictly as any other); only their spans tell where they were.
    public init(_ names: some Sequence<String>, skipsUndeclaredValues: Bool) {
        self.names = names.map(CodePointKey.init)
        var bytes: [UInt8] = [], offsets = [0], fingerprints: [UInt64] = []
        for name in self.names {
            let utf8 = Array(name.string.utf8)
            bytes += utf8
            offsets.append(bytes.count)
            fingerprints.append(utf8.withUnsafeBufferPointer { JSONParser.fingerprint($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) })
        }
        self.bytes = bytes
        self.offsets = offsets
        self.fingerprints = fingerprints
        set = self.names.count > Self.linearLimit ? Set(self.names) : nil
        allASCII = bytes.allSatisfy { $0 < 0x80 }
        self.skipsUndeclaredValues = skipsUndeclaredValues
    }

    /// How a root member's key relates to the declared names.
    enum Match {
        /// The key has the code points of a declared name.
        case declared
        /// Not by code points, but canonically equivalent to a declared name (equal as a Swift `String`).
        case equivalent
        case undeclared
    }

    /// Classifies `key` (written with no escape: its bytes are its UTF-8), the `position`-th member of its object,
    /// without making a `String`: `.declared` when the bytes are a name's, `.undeclared` when they are not and the
    /// key and all names are ASCII; nil when a `String` comparison must decide.
    func match(_ key: SkippedKey, in input: UnsafePointer<UInt8>, position: Int) -> Match? {
        guard set == nil else { return nil }
        let found: Bool = bytes.withUnsafeBufferPointer { names in
            @inline(__always) func equal(_ k: Int) -> Bool {
                fingerprints[k] == key.fingerprint && offsets[k + 1] - offsets[k] == key.count
                    && (key.count == 0 || memcmp(names.baseAddress! + offsets[k], input + key.start, key.count) == 0)
            }
            if position < fingerprints.count && equal(position) { return true }
            for k in fingerprints.indices where equal(k) { return true }
            return false
        }
        if found { return .declared }
        return key.isASCII && allASCII ? .undeclared : nil
    }

    /// Classifies `key`, the `position`-th member of its object (compared with the name at that position first).
    func match(_ key: String, position: Int) -> Match {
        let probe = CodePointKey(key)
        if let set {
            if set.contains(probe) { return .declared }
        } else {
            if position < names.count && names[position] == probe { return .declared }
            for name in names where name == probe { return .declared }
        }
        for name in names where name.string == key { return .equivalent }
        return .undeclared
    }
}
