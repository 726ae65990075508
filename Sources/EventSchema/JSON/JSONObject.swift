#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An ordered JSON object: `(key, value)` pairs in document order, keys unique.
///
/// Lookup is a linear scan for small objects (events have a handful of keys) and a hash
/// index for larger ones. Equality is Python-dict equality: same keys with equal values,
/// regardless of order.
public struct JSONObject: Sendable, Equatable, Sequence {
    public typealias Element = (key: String, value: JSONValue)

    @usableFromInline var pairs: [Element]
    @usableFromInline var index: [CodePointKey: Int]?

    static let indexThreshold = 16

    /// Creates an object from ordered pairs. A later duplicate key replaces the earlier value
    /// in place (the decoder rejects duplicates before this point).
    public init(_ pairs: [(String, JSONValue)]) {
        self.pairs = []
        self.pairs.reserveCapacity(pairs.count)
        for (k, v) in pairs { set(k, v) }
    }

    /// Creates an object from pairs already known to have unique keys (decoder fast path).
    init(uniquePairs: [Element]) {
        self.pairs = uniquePairs
        if uniquePairs.count > Self.indexThreshold { rebuildIndex() }
    }

    /// An empty object.
    public init() { self.pairs = [] }

    mutating func rebuildIndex() {
        var idx = [CodePointKey: Int](minimumCapacity: pairs.count)
        for (i, p) in pairs.enumerated() { idx[CodePointKey(p.key)] = i }
        index = idx
    }

    @inlinable func position(of key: String) -> Int? {
        if let index { return index[CodePointKey(key)] }
        for i in pairs.indices where JSONObject.sameKey(pairs[i].key, key) { return i }
        return nil
    }

    /// Key identity is by Unicode code points (as in Python), not Swift's canonical equivalence: two valid
    /// UTF-8 strings have the same code points exactly when they have the same bytes, so this compares the
    /// lengths, then the bytes in place (native and small strings are contiguous; others walk the UTF-8 view).
    @usableFromInline static func sameKey(_ a: String, _ b: String) -> Bool {
        let count = a.utf8.count
        guard count == b.utf8.count else { return false }
        let inPlace = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in count == 0 || memcmp(x.baseAddress!, y.baseAddress!, count) == 0 }
        }
        if let inPlace, let equal = inPlace { return equal }
        return a.utf8.elementsEqual(b.utf8)
    }

    /// The value for `key`, or `nil` when the key is absent (a present JSON `null` is `.null`).
    public subscript(key: String) -> JSONValue? {
        guard let i = position(of: key) else { return nil }
        return pairs[i].value
    }

    /// The value for `key` like the subscript, but comparing the key at position `hint` first: a caller that
    /// knows where the key usually is (e.g. the schema's field order, which events tend to follow) pays one
    /// comparison instead of a scan. Any `hint`, in range or not, gives the same answer.
    public func value(forKey key: String, hint: Int) -> JSONValue? {
        if index == nil && hint >= 0 && hint < pairs.count && Self.sameKey(pairs[hint].key, key) { return pairs[hint].value }
        return self[key]
    }

    /// The keys in document order.
    public var keys: [String] { pairs.map(\.key) }

    /// The number of members.
    public var count: Int { pairs.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { pairs.isEmpty }

    /// Sets `key` to `value`: replaces in place when present, appends otherwise.
    public mutating func set(_ key: String, _ value: JSONValue) {
        if let i = position(of: key) {
            pairs[i].value = value
        } else {
            pairs.append((key, value))
            if index != nil {
                index![CodePointKey(key)] = pairs.count - 1
            } else if pairs.count > Self.indexThreshold {
                rebuildIndex()
            }
        }
    }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool { position(of: key) != nil }

    public func makeIterator() -> IndexingIterator<[Element]> { pairs.makeIterator() }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (k, v) in lhs.pairs {
            guard let other = rhs[k], other == v else { return false }
        }
        return true
    }
}

/// A string hashed and compared by its Unicode code points (UTF-8 bytes), as Python compares
/// `str` keys — unlike `String`, which treats canonically equivalent forms (`é` / `e\u{301}`) as equal.
public struct CodePointKey: Hashable, Sendable {
    public let string: String

    @inlinable public init(_ string: String) { self.string = string }

    @inlinable public static func == (a: CodePointKey, b: CodePointKey) -> Bool { JSONObject.sameKey(a.string, b.string) }

    @inlinable public func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
