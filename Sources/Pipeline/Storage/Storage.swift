import Foundation

/// Where lake files live: bytes under names, and nothing else (no Kafka, no tables, no checkpoints).
///
/// A name is a `/`-separated path relative to the storage's root, e.g. `date=2025-10-30/part-….parquet` or
/// `_weir/staging/<instance>/part-….parquet.tmp`. The operations are the ones object storage (S3 and compatible)
/// offers too, so the table commit above works on either:
///
/// - objects are created once and never overwritten (`create` and `put` fail with `StorageError.exists`); S3 does
///   this with a conditional `PUT` (`If-None-Match: *`);
/// - `publish` moves an object to its final name, create-only: POSIX renames it (atomic, then the directory is
///   fsynced); object storage copies it with `If-None-Match: *` and deletes the source. A crash may leave both
///   names holding the object; publishing again then fails with `StorageError.exists`, and the caller deletes the
///   source;
/// - `list` walks one level of a prefix (S3's `delimiter=/`), `delete` is idempotent;
/// - `info` and `read(_:range:)` let the day-two commands read a Parquet footer or a column chunk without fetching
///   the whole object (S3: `HEAD` and a ranged `GET`);
/// - `overwrite` replaces an object unconditionally; only compaction uses it, to turn a merged input into a
///   placeholder (the commit path never overwrites anything);
/// - `claim` / `takeOver` give a writer a prefix of its own that recovery can tell apart from a dead writer's, and
///   `withLock` serializes publishers against a partition rewrite where the storage needs it.
///
/// `POSIXStorage` is the implementation for a local or network file system, `S3Storage` for S3 and compatible
/// object storage.
public protocol Storage: AnyObject, Sendable {
    /// Starts writing the object `name` (create-only). Until `finish` returns the object is incomplete: a POSIX
    /// file system shows a partial file under the name, object storage shows nothing. Write under a staging name
    /// what readers must not see half-done, then `publish` it.
    /// - Throws: `StorageError.exists` when `name` is taken, or the storage's error.
    func create(_ name: String) throws -> StorageWriter
    /// The object's bytes; nil when there is none.
    func get(_ name: String) throws -> [UInt8]?
    /// Whether an object (or a non-empty prefix) exists under `name`.
    func exists(_ name: String) -> Bool
    /// The size and modification time of the object `name` (S3: `HEAD`); nil when there is no object of that name
    /// (a prefix — a POSIX directory — is not an object).
    /// - Throws: the storage's error (not for a missing object).
    func info(_ name: String) throws -> StorageObjectInfo?
    /// The bytes at offsets `range` of the object `name` (S3: a ranged `GET`); fewer when the object ends before
    /// `range.upperBound`, none when it ends before `range.lowerBound`.
    /// - Throws: `StorageError.notFound` when there is no such object, or the storage's error.
    func read(_ name: String, range: Range<Int64>) throws -> [UInt8]
    /// Replaces the object `name` by `bytes` in one step whether or not it exists (S3: an unconditional `PUT`;
    /// POSIX: a temporary sibling renamed over it, then a directory fsync), durably. A reader opening the name sees
    /// the old bytes or the new, never a mix. Only compaction calls it, to turn a merged input into a placeholder
    /// (`CompactionPlaceholder`); the commit path is create-only.
    /// - Throws: the storage's error.
    func overwrite(_ name: String, bytes: [UInt8]) throws
    /// The names directly below `prefix` (objects and sub-prefixes, last path component only), sorted; empty when
    /// there are none. The empty prefix is the root.
    func list(_ prefix: String) throws -> [String]
    /// Deletes the object `name`, or everything under the prefix `name`. Nothing there is not an error.
    func delete(_ name: String) throws
    /// Moves the object `source` to `destination` (create-only) and makes the move durable.
    /// - Throws: `StorageError.exists` when `destination` is taken, `StorageError.notFound` when `source` is missing.
    func publish(_ source: String, to destination: String) throws
    /// Makes every object finished below `prefix` durable (POSIX: fsync of the directory; object storage: nothing).
    func sync(_ prefix: String) throws
    /// Claims `prefix` for this process until the lease is released (dropped) or the process dies.
    /// - Throws: when the prefix is claimed already or cannot be created.
    func claim(_ prefix: String) throws -> StorageLease
    /// Claims the prefix of a writer that is gone; nil while its writer is alive (or it was never claimed).
    func takeOver(_ prefix: String) throws -> StorageLease?
    /// Runs `body` holding the lock `name`, shared or exclusive, waiting as long as needed. Publishers take a
    /// partition's lock shared around `publish`; a partition rewrite (compaction) takes it exclusively.
    func withLock<T>(_ name: String, exclusive: Bool, _ body: () throws -> T) throws -> T
    /// nil when a claim ends only with its holder (POSIX: the kernel drops a dead process's `flock`). Otherwise
    /// (object storage) a claim is a lease that lives this long without renewal: `takeOver` may then take a
    /// stalled writer's prefix while that writer still runs, so the table commit must fence such a writer in
    /// the checkpoint store (see `LakeCommitter`).
    var leaseExpiry: Duration? { get }
    /// How many `publish` calls of one commit may run at once (at least 1). A rename is over in microseconds
    /// (1, the default); an object store's copy and delete wait on the network, so its files go side by side.
    var publishConcurrency: Int { get }
    /// How many files of one commit may be written (staged) at once (at least 1). A local file system writes one
    /// after the other (1, the default); object storage encodes the next file while the previous one uploads.
    var stagingConcurrency: Int { get }
}

extension Storage {
    public var leaseExpiry: Duration? { nil }
    public var publishConcurrency: Int { 1 }
    public var stagingConcurrency: Int { 1 }
}

extension Storage {
    /// Writes the object `name` with `bytes` (create-only) and makes it durable. As with `create`, a POSIX file
    /// system shows a partial file under the name until it returns: see `putWhole` for objects read while written.
    /// - Throws: `StorageError.exists` when `name` is taken, or the storage's error.
    public func put(_ name: String, bytes: [UInt8]) throws {
        let writer = try create(name)
        try bytes.withUnsafeBytes { try writer.write($0) }
        try writer.finish(durable: true)
    }

    /// `put` for an object that other processes may read while it is being written (a lake's markers, which
    /// instances starting together write and read at once): the bytes go to a hidden name beside it
    /// (`.NAME.<uuid>.tmp`), then `publish` gives them the name, create-only, so a reader sees the whole object or
    /// none. A crash may leave the hidden object behind.
    /// - Throws: `StorageError.exists` when `name` is taken (the hidden object is deleted), or the storage's error.
    public func putWhole(_ name: String, bytes: [UInt8]) throws {
        let slash = name.lastIndex(of: "/").map { name.index(after: $0) } ?? name.startIndex
        let hidden = String(name[..<slash]) + "." + String(name[slash...]) + "." + UUID().uuidString.lowercased() + ".tmp"
        try put(hidden, bytes: bytes)
        do {
            try publish(hidden, to: name)
        } catch {
            try? delete(hidden)
            throw error
        }
    }
}

/// What `Storage.info` knows about an object.
public struct StorageObjectInfo: Sendable, Equatable {
    /// Size in bytes.
    public let size: Int64
    /// Last modification, in whole seconds since the Unix epoch (S3: `Last-Modified`).
    public let modifiedAt: Int64

    public init(size: Int64, modifiedAt: Int64) {
        self.size = size
        self.modifiedAt = modifiedAt
    }
}

/// An object being written.
public protocol StorageWriter: AnyObject {
    /// Bytes written so far.
    var position: Int64 { get }
    /// Appends bytes.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Completes the object; with `durable`, it survives a crash once this returns.
    func finish(durable: Bool) throws
}

/// A claim on a prefix (see `Storage.claim`), released when the lease is dropped.
public protocol StorageLease: AnyObject, Sendable {
    /// The claimed prefix.
    var prefix: String { get }
}

/// A storage operation that failed; the message names the object.
public struct StorageError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, for callers that handle some failures (an existing name after a retried publish).
    public enum Kind: Sendable, Equatable {
        /// The name is taken (create-only put or publish).
        case exists
        /// The object is missing.
        case notFound
        /// Anything else the storage reported.
        case io
    }

    /// What went wrong.
    public let kind: Kind
    /// The object's name (or path) and what happened.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "storage: \(message)" }
}
