/// Named shared/exclusive locks that hold across processes and hosts, kept by a service every instance of a lake
/// reaches (e.g. PostgreSQL's advisory locks, `PostgresLakeLocks`). `S3Storage.withLock` takes them when given,
/// so that one `weir compact` runs at a time on an `s3://` lake whose checkpoint store is not a shared file.
///
/// A lock must be released when its holder dies (its session ends), so a crashed holder never blocks the lake.
public protocol SharedLocks: Sendable {
    /// Runs `body` holding the lock `name`, shared or exclusive, waiting as long as another holder keeps it.
    /// - Throws: an error naming the service when the lock cannot be taken; `body`'s errors.
    func withLock<T>(_ name: String, exclusive: Bool, _ body: () throws -> T) throws -> T
}
