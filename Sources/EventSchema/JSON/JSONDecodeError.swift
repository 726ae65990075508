/// Limits the strict decoder enforces before and while parsing.
public struct JSONLimits: Sendable {
    /// Maximum container nesting (objects + arrays). A top-level object is depth 1. Default 64.
    public var maxDepth: Int = 64
    /// Maximum message size in bytes, checked before parsing. Default 1 MiB.
    public var maxBytes: Int = 1 << 20

    public init(maxDepth: Int = 64, maxBytes: Int = 1 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }
}

/// Why a message was rejected. Each reason is distinct and bounded (no free text).
public enum JSONRejection: String, Sendable, Error {
    /// Zero bytes, or only whitespace.
    case empty
    /// Any other RFC 8259 grammar violation (unterminated string, bad escape, control character, ...).
    case syntax
    /// Bytes that are not well-formed UTF-8 (RFC 8259 §8.1).
    case invalidUTF8
    /// A `\u` escape that is an unpaired UTF-16 surrogate.
    case loneSurrogate
    /// A leading UTF-8 byte order mark (RFC 8259 §8.1: MUST NOT be added; Weir rejects it).
    case byteOrderMark
    /// `NaN`, `Infinity`, `-Infinity`, or a number literal that overflows a double.
    case nonFiniteNumber
    /// The same key twice in one object (RFC 8259 §4: names SHOULD be unique; Weir requires it).
    case duplicateKey
    /// Anything but whitespace after the top-level value.
    case trailingGarbage
    /// Nesting deeper than ``JSONLimits/maxDepth``.
    case tooDeep
    /// A message larger than ``JSONLimits/maxBytes``.
    case tooLarge
}

/// A decoding failure: the reason and the byte offset where it was detected.
public struct JSONDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let rejection: JSONRejection
    public let byteOffset: Int

    public init(_ rejection: JSONRejection, at byteOffset: Int) {
        self.rejection = rejection
        self.byteOffset = byteOffset
    }

    public var description: String { "JSON rejected: \(rejection.rawValue) at byte \(byteOffset)" }
}
