import Foundation
import Logging
import ObjectStore
import Pipeline

/// Opens an `s3://` lake for `weir run`: the client (credentials from `CredentialsResolver`), the startup check
/// (the bucket reachable and writable), and the `S3Storage` the committer writes through.
enum ObjectLake {
    /// The lake's storage after the startup check (list, probe write and delete).
    /// - Parameter lockDirectory: where `S3Storage.withLock` takes file locks (the day-two commands pass the
    ///   checkpoint store's `locks/` directory, so that compaction is exclusive across hosts); nil: in-process.
    /// - Parameter sharedLocks: cross-host locks that take precedence (a PostgreSQL store's advisory locks).
    /// - Throws: `StartupError` (exit 2) naming `lake.out_dir` or `lake.s3.endpoint` with the fix, when the
    ///   credentials are refused or missing, the bucket does not exist, or the endpoint cannot be reached;
    ///   `ConfigError` for credentials the environment or the shared files state half-way.
    static func open(_ location: S3Location, config: WeirConfig, refusals: RefusedWrites, retries: ObjectStoreRetries = ObjectStoreRetries(),
                     lockDirectory: String? = nil, sharedLocks: (any SharedLocks)? = nil) throws -> S3Storage {
        try open(location, config: config, refusals: refusals, retries: retries, lockDirectory: lockDirectory, sharedLocks: sharedLocks, write: true)
    }

    /// The storage for a command that only reads (`weir inspect`): the startup check lists one key and writes
    /// nothing, so read-only credentials suffice.
    /// - Throws: as `open`.
    static func openForReading(_ location: S3Location, config: WeirConfig) throws -> S3Storage {
        try open(location, config: config, refusals: RefusedWrites(), retries: ObjectStoreRetries(), lockDirectory: nil, sharedLocks: nil, write: false)
    }

    private static func open(_ location: S3Location, config: WeirConfig, refusals: RefusedWrites, retries: ObjectStoreRetries,
                             lockDirectory: String?, sharedLocks: (any SharedLocks)?, write: Bool) throws -> S3Storage {
        let credentials: AWSCredentials?
        do {
            credentials = try CredentialsResolver().resolve()
        } catch {
            throw ConfigError(key: "lake.out_dir", message: "cannot read the credentials for \(location): \(error)",
                              fix: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile of ~/.aws/credentials")
        }
        var configuration = config.s3.clientConfiguration(bucket: location.bucket)
        configuration.onRetry = { retries.record($0) }
        try check(location, configuration: configuration, credentials: credentials, write: write)
        let client: S3Client
        do {
            client = try S3Client(configuration: configuration, credentials: credentials)
        } catch {
            throw ConfigError(key: "lake.s3.endpoint", message: "\(error)", fix: "correct lake.s3.endpoint")
        }
        return S3Storage(client: client, location: location, leaseTTL: config.s3.leaseTTL,
                         onRefusedWrite: { refusals.record($0) }, lockDirectory: lockDirectory, sharedLocks: sharedLocks)
    }

    /// Lists one key and, with `write`, writes a probe object under `_weir/` create-only and deletes it, with few
    /// retries so that a wrong endpoint fails within seconds.
    static func check(_ location: S3Location, configuration: S3Configuration, credentials: AWSCredentials?, write: Bool = true) throws {
        var quick = configuration
        quick.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(200))
        quick.connectTimeout = .seconds(5)
        do {
            let client = try S3Client(configuration: quick, credentials: credentials)
            if write {
                try client.checkAccess(probeKey: location.key("_weir/probe-\(FileNamer.randomInstanceID())"))
            } else {
                _ = try client.listObjects(prefix: location.prefix, maxKeys: 1)
            }
        } catch let error as S3Error {
            throw startupError(error, location: location, endpoint: configuration.resolvedEndpoint, signed: credentials != nil)
        }
    }

    static func startupError(_ error: S3Error, location: S3Location, endpoint: String, signed: Bool) -> StartupError {
        // The request and the service's answer; the fix is ours (the client's own hint would repeat it).
        var cause = "\(error.operation) answered " + (error.status.map { "HTTP \($0)" + (error.code.map { " \($0)" } ?? "") + ": " } ?? "")
            + (error.message.isEmpty ? "\(error.kind)" : error.message)
        if error.status == nil { cause = "\(error.operation) failed: " + (error.message.isEmpty ? "\(error.kind)" : error.message) }
        if error.attempts > 1 { cause += " (after \(error.attempts) attempts)" }
        switch error.kind {
        case .unreachable, .timeout, .tls:
            return StartupError(message: "lake.s3.endpoint: cannot reach the object store of \(location) at \(endpoint): \(cause)",
                                fix: "set lake.s3.endpoint (or AWS_ENDPOINT_URL) to the service's URL, check that it runs and "
                                    + "answers from this host" + (error.kind == .tls ? ", and give its CA bundle as lake.s3.ca_file" : ""))
        case .noSuchBucket:
            return StartupError(message: "lake.out_dir: the bucket '\(location.bucket)' of \(location) does not exist at \(endpoint)",
                                fix: "create the bucket (e.g. aws s3 mb s3://\(location.bucket)), or correct the bucket in lake.out_dir")
        case .invalidCredentials, .accessDenied:
            return StartupError(message: "lake.out_dir: the object store at \(endpoint) refused \(signed ? "these credentials" : "unsigned requests (no credentials found)") for \(location): \(cause)",
                                fix: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to credentials that may list, "
                                    + "write and delete in bucket '\(location.bucket)'")
        default:
            return StartupError(message: "lake.out_dir: cannot write to \(location) at \(endpoint): \(cause)",
                                fix: "check the bucket, its permissions and lake.s3.endpoint")
        }
    }

    /// An empty checkpoint store next to a lake that holds committed files means this host was pointed at another
    /// store than the lake's (or the store was lost): starting would land the topic a second time.
    /// - Parameters:
    ///   - storeKey: the key that names the store, `checkpoint.path` or `checkpoint.url`.
    ///   - storeLocation: the store's path or redacted URL, for the message.
    ///   - catalogOwned: folders a catalog created with the table (an Iceberg REST table's `metadata/`, and
    ///     `data/` while it is empty), not committed files.
    /// - Throws: `ConfigError` naming `storeKey`.
    static func verifyStore(_ storage: S3Storage, layout: LakeLayout, store: CheckpointStore,
                            storeKey: String = "checkpoint.path", storeLocation: String? = nil, catalogOwned: Set<String> = []) throws {
        guard try store.isEmpty() else { return }
        let committed = try storage.list("").filter { !$0.hasPrefix("_") || $0 == "_dlq" }
            .filter { name in
                guard catalogOwned.contains(name) else { return true }
                guard name == "data" else { return false }
                let files = try storage.list(name)
                return !files.isEmpty
            }
        guard let first = committed.first else { return }
        throw ConfigError(
            key: storeKey,
            message: "\(layout.root) already holds committed files (such as \(layout.root)/\(first)/…) but the checkpoint "
                + "store \(storeLocation ?? layout.storePath) is empty or missing, so it does not know which offsets and events the lake "
                + "holds; starting would land those events a second time, so Weir stops",
            fix: "point \(storeKey) at this lake's store (every instance of a lake shares one), or lake.out_dir at a new prefix")
    }
}
