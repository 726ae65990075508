import Foundation

/// What S3 says about one object (HEAD, a list entry).
public struct ObjectInfo: Sendable, Equatable {
    public var key: String
    /// Size in bytes.
    public var size: UInt64
    /// The ETag without quotes: the hex MD5 of the content for a single PUT, `<md5 of part md5s>-<parts>` for a
    /// multipart upload.
    public var etag: String
    /// Last modification time (second precision on most services); nil when the service sent none.
    public var lastModified: Date?

    public init(key: String, size: UInt64, etag: String, lastModified: Date? = nil) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// The result of a create-only or overwriting write (PUT, multipart upload, copy).
public enum PutOutcome: Sendable, Equatable {
    /// The object now holds the bytes this call sent. Also returned when an earlier attempt of this call was
    /// applied although its response was lost, and the retry's 412 found exactly these bytes (same ETag).
    case created(etag: String)
    /// Create-only and the key already held an object this call did not write (412 Precondition Failed).
    /// `existing` is that object (nil if it vanished before the HEAD); `sameContent` tells whether its ETag equals
    /// the one this call's bytes would have.
    case alreadyExists(existing: ObjectInfo?, sameContent: Bool)

    /// Whether the object was written by this call.
    public var isCreated: Bool { if case .created = self { return true } else { return false } }
}

/// One page of ListObjectsV2.
public struct ListPage: Sendable, Equatable {
    /// The objects of this page, in key order (UTF-8 binary order).
    public var objects: [ObjectInfo]
    /// The key groups rolled up by the delimiter, when one was given.
    public var commonPrefixes: [String]
    /// Pass to the next call to continue; nil on the last page.
    public var nextContinuationToken: String?
    /// Whether more objects follow (the service's `IsTruncated`).
    public var isTruncated: Bool
}

/// One key that a batch delete could not remove.
public struct DeleteFailure: Sendable, Equatable, Error {
    public var key: String
    public var code: String
    public var message: String
}

/// An inclusive byte range of an object, as in the HTTP `Range: bytes=first-last` header.
public struct ByteRange: Sendable, Equatable {
    public var first: UInt64
    public var last: UInt64

    public init(first: UInt64, last: UInt64) {
        precondition(last >= first, "weir: byte range \(first)-\(last) is empty")
        self.first = first
        self.last = last
    }

    /// `count` bytes from `offset`.
    public init(offset: UInt64, count: UInt64) { self.init(first: offset, last: offset + count - 1) }

    var header: String { "bytes=\(first)-\(last)" }
}
