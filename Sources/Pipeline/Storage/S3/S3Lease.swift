import Foundation
import ObjectStore

/// A claimed staging prefix of `S3Storage`: the object `<prefix>/.lease`, rewritten every `ttl / 3` by a timer
/// until the lease is released (dropped, or its prefix deleted). See `S3LeaseRecord` for the expiry rule.
final class S3Lease: StorageLease, @unchecked Sendable {
    let prefix: String
    private let client: S3Client
    private let key: String
    private let record: S3LeaseRecord
    private let timer: DispatchSourceTimer
    private let lock = NSLock()
    private var stopped = false

    /// The lease object's storage name below a prefix.
    static let objectName = ".lease"

    /// Writes the lease object (create-only when `createOnly`, else replacing a dead holder's) and starts renewing it.
    /// - Throws: `StorageError.exists` when `createOnly` and the prefix is claimed; `.io` on S3 errors.
    init(prefix: String, key: String, client: S3Client, ttl: Duration, createOnly: Bool) throws {
        self.prefix = prefix
        self.client = client
        self.key = key
        let ttlMs = ttl.wholeMilliseconds
        record = S3LeaseRecord(prefix: prefix, host: ProcessInfo.processInfo.hostName, pid: getpid(), ttlMs: ttlMs,
                               renewedAtMs: Int64(Date().timeIntervalSince1970 * 1000))
        do {
            let outcome = try client.putObject(key: key, body: .bytes(record.encoded()), createOnly: createOnly,
                                               contentType: "application/json")
            if case .alreadyExists = outcome { throw StorageError(.exists, "the staging prefix \(prefix) is claimed already") }
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        let interval = max(Double(ttlMs) / 3000, 0.2)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.renew() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// Stops renewing (the prefix is being deleted, or the lease dropped).
    func stop() {
        lock.withLock { stopped = true }
        timer.cancel()
    }

    private func renew() {
        guard !lock.withLock({ stopped }) else { return }
        var next = record
        next.renewedAtMs = Int64(Date().timeIntervalSince1970 * 1000)
        // A failed renewal is retried by the client and then by the next tick; a holder that cannot renew for
        // longer than the TTL may be taken over, and the store's fence then refuses its commits.
        _ = try? client.putObject(key: key, body: .bytes(next.encoded()), createOnly: false, contentType: "application/json")
    }
}
