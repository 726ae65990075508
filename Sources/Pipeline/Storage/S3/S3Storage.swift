import Foundation
import ObjectStore

/// `Storage` on S3 or an S3-compatible service: names are object keys below `location.prefix`.
///
/// - `create` streams the object (`S3ObjectWriter`: one create-only PutObject, or a multipart upload whose parts
///   go while the next is written, completed create-only); a taken name is reported by `finish`.
/// - `publish` is a server-side create-only CopyObject and a delete of the source. A destination that holds the
///   object already (a retried publish, or recovery publishing for a writer that stalled) is a refused write:
///   counted, the source deleted, and success reported when the content is the same.
/// - `list` is ListObjectsV2 with `delimiter=/`; `delete` removes an object and everything below its prefix
///   (list + DeleteObjects); `sync` does nothing (a successful write is durable and, since S3's strong
///   read-after-write consistency, visible to every reader).
/// - `claim` writes `<prefix>/.lease` create-only and renews it every `leaseTTL / 3`; `takeOver` takes a prefix
///   whose lease object is older than its TTL (plus `leaseGrace`), or that has none. A prefix this storage took
///   over stays taken for the storage's lifetime: `takeOver` gives it again (the same lease while it is held; a
///   lease that writes nothing once the prefix was emptied), although the lease object it wrote there looks fresh
///   for a TTL and an emptied prefix may still be listed (SeaweedFS keeps empty directories a while). So every
///   caller in the process (commit recovery, the Iceberg orphan scans, `weir maintain`) sees a dead writer as
///   dead, however often it asks.
/// - `withLock` takes `sharedLocks` when given (a PostgreSQL store's advisory locks), else a `flock` on
///   `<lockDirectory>/<name>.lock` when a lock directory is given (the day-two commands
///   give the checkpoint store's directory, which every instance of the lake shares with working POSIX locks, so
///   `weir compact` excludes a second compaction on any host), else a lock within this process only: publishers on
///   object storage never need to exclude a compaction, because no prefix is ever swapped or retired (a publish
///   creates a new key; a compaction writes new keys and deletes the inputs it recorded in the store).
///
/// Every refused create-only write (HTTP 412 or an already-taken key) calls `onRefusedWrite` with the object's URI.
public final class S3Storage: Storage, @unchecked Sendable {
    public let client: S3Client
    public let location: S3Location
    /// How long a lease lives without renewal. Default 30 s.
    public let leaseTTL: Duration
    /// Added to a lease's TTL before it counts as expired (clock skew, `Last-Modified`'s second precision). Default 2 s.
    public let leaseGrace: Duration
    /// Size of the in-memory part buffer and of multipart parts, bytes (the client's `partSize`).
    public let partSize: Int
    /// How many files of one commit are published (copied and their staged copies deleted) at once. Default 8.
    public let publishConcurrency: Int
    /// How many files of one commit are encoded and uploaded at once: the next file is encoded while the previous
    /// one uploads. Each holds at most two parts (`partSize`) in memory. Default 3.
    public let stagingConcurrency: Int
    private let onRefusedWrite: @Sendable (String) -> Void
    private let now: @Sendable () -> Date
    private let locks = NamedReadWriteLocks()
    /// Where `withLock` takes file locks; nil: locks within this process only.
    public let lockDirectory: String?
    /// Locks of a service every instance reaches (PostgreSQL); when set, `withLock` takes them instead.
    public let sharedLocks: (any SharedLocks)?
    private let leases = NSLock()
    private var activeLeases: [String: WeakLease] = [:]
    /// Prefixes this storage took over from a dead writer (guarded by `leases`): one per dead writer, kept.
    private var takenOver: Set<String> = []

    /// - Parameters:
    ///   - onRefusedWrite: called with the object's `s3://` URI for each create-only write the service refused.
    ///   - now: the clock lease expiry is judged by. Default `Date()`.
    ///   - lockDirectory: a directory of a file system every process working on the lake shares (with POSIX locks
    ///     that work across its hosts), where `withLock` takes `flock`s; nil (the default): in-process locks.
    ///   - sharedLocks: cross-host locks of a service (the PostgreSQL store's `PostgresLakeLocks`); they take
    ///     precedence over `lockDirectory`. Default nil.
    ///   - publishConcurrency: files of one commit published side by side (at least 1). Default 8.
    ///   - stagingConcurrency: files of one commit encoded and uploaded side by side (at least 1). Default 3.
    public init(client: S3Client, location: S3Location, leaseTTL: Duration = .seconds(30), leaseGrace: Duration = .seconds(2),
                onRefusedWrite: @escaping @Sendable (String) -> Void = { _ in }, now: @escaping @Sendable () -> Date = { Date() },
                lockDirectory: String? = nil, sharedLocks: (any SharedLocks)? = nil, publishConcurrency: Int = 8, stagingConcurrency: Int = 3) {
        self.publishConcurrency = max(1, publishConcurrency)
        self.stagingConcurrency = max(1, stagingConcurrency)
        self.lockDirectory = lockDirectory
        self.sharedLocks = sharedLocks
        self.client = client
        self.location = location
        self.leaseTTL = leaseTTL
        self.leaseGrace = leaseGrace
        self.onRefusedWrite = onRefusedWrite
        self.now = now
        partSize = Int(client.configuration.partSize)
    }

    public var leaseExpiry: Duration? { leaseTTL }

    /// `s3://bucket/prefix/name`.
    public func uri(_ name: String) -> String { "s3://\(location.bucket)/\(location.key(name))" }

    public func create(_ name: String) throws -> StorageWriter {
        S3ObjectWriter(client: client, key: location.key(name), uri: uri(name), partSize: partSize, refused: onRefusedWrite)
    }

    public func get(_ name: String) throws -> [UInt8]? {
        do {
            return try client.getObject(key: location.key(name))
        } catch let error as S3Error where error.kind == .noSuchKey {
            return nil
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
    }

    public func exists(_ name: String) -> Bool {
        if (try? client.headObject(key: location.key(name))) != nil { return true }
        let page = try? client.listObjects(prefix: location.key(name) + "/", maxKeys: 1)
        return !(page?.objects.isEmpty ?? true)
    }

    public func list(_ prefix: String) throws -> [String] {
        let keyPrefix = location.key(prefix).isEmpty ? "" : location.key(prefix) + "/"
        var names: [String] = []
        var token: String?
        do {
            repeat {
                let page = try client.listObjects(prefix: keyPrefix, delimiter: "/", continuationToken: token)
                names += page.objects.map { String($0.key.dropFirst(keyPrefix.count)) }
                names += page.commonPrefixes.map { String($0.dropFirst(keyPrefix.count).dropLast()) }
                token = page.nextContinuationToken
            } while token != nil
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
        return names.filter { !$0.isEmpty }.sorted()
    }

    public func delete(_ name: String) throws {
        let key = location.key(name)
        stopLeases(under: name)
        do {
            try client.deleteObject(key: key)
            let below = try client.listAllObjects(prefix: key + "/").map(\.key)
            if let failure = try client.deleteObjects(keys: below).first {
                throw StorageError(.io, "cannot delete \(uri(name))/…: \(failure.key): \(failure.code) \(failure.message)")
            }
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
    }

    public func publish(_ source: String, to destination: String) throws {
        let (from, to) = (location.key(source), location.key(destination))
        let outcome: PutOutcome
        do {
            outcome = try client.copyObject(from: from, to: to, createOnly: true)
        } catch let error as S3Error where error.kind == .noSuchKey {
            if (try? client.headObject(key: to)) != nil { onRefusedWrite(uri(destination)) }
            throw StorageError(.notFound, "cannot publish \(uri(source)) to \(uri(destination)): the source does not exist")
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
        if case .alreadyExists(_, let sameContent) = outcome {
            onRefusedWrite(uri(destination))
            guard sameContent else {
                throw StorageError(.exists, "cannot publish \(uri(source)): \(uri(destination)) exists already (create-only copy refused)")
            }
        }
        do {
            try client.deleteObject(key: from)
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
    }

    public func sync(_ prefix: String) throws {}

    public func claim(_ prefix: String) throws -> StorageLease {
        let lease = try S3Lease(prefix: prefix, key: location.key(prefix + "/" + S3Lease.objectName), client: client,
                                ttl: leaseTTL, createOnly: true)
        register(lease)
        return lease
    }

    public func takeOver(_ prefix: String) throws -> StorageLease? {
        let key = location.key(prefix + "/" + S3Lease.objectName)
        let (tookOver, held) = leases.withLock { (takenOver.contains(prefix), activeLeases[prefix]?.lease) }
        if tookOver, let held { return held }
        do {
            if tookOver {
                // Its lease object is the one this storage wrote: fresh, but its writer is dead all the same. Once
                // emptied there is nothing to renew (a lease object would recreate the prefix).
                guard exists(prefix) else { return EmptiedPrefix(prefix: prefix) }
            } else if let info = try client.headObject(key: key) {
                let ttl = (try? client.getObject(key: key, maxBytes: 1 << 16)).flatMap(S3LeaseRecord.decode)
                    .map { Duration.milliseconds($0.ttlMs) } ?? leaseTTL
                guard let written = info.lastModified,
                      S3LeaseRecord.isExpired(lastModified: written, ttl: ttl, grace: leaseGrace, now: now()) else { return nil }
            } else if !exists(prefix) {
                return nil
            }
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
        let lease = try S3Lease(prefix: prefix, key: key, client: client, ttl: leaseTTL, createOnly: false)
        register(lease)
        leases.withLock { _ = takenOver.insert(prefix) }
        return lease
    }

    public func withLock<T>(_ name: String, exclusive: Bool, _ body: () throws -> T) throws -> T {
        if let sharedLocks { return try sharedLocks.withLock(name, exclusive: exclusive, body) }
        guard let lockDirectory else { return try locks.with(name, exclusive: exclusive, body) }
        let lock = try PartitionLock(directory: lockDirectory, name: name, exclusive: exclusive)
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }

    private func register(_ lease: S3Lease) {
        leases.withLock {
            activeLeases = activeLeases.filter { $0.value.lease != nil }
            activeLeases[lease.prefix] = WeakLease(lease: lease)
        }
    }

    /// Stops renewing leases on `name` or below it, so that a deleted prefix is not recreated by a heartbeat.
    private func stopLeases(under name: String) {
        let stopping = leases.withLock {
            activeLeases.filter { $0.key == name || $0.key.hasPrefix(name + "/") }.compactMap(\.value.lease)
        }
        for lease in stopping { lease.stop() }
    }

    /// A taken-over prefix with nothing left in it: held, but with no lease object to write.
    private final class EmptiedPrefix: StorageLease, @unchecked Sendable {
        let prefix: String
        init(prefix: String) { self.prefix = prefix }
    }

    private struct WeakLease {
        weak var lease: S3Lease?
    }
}
