import Foundation

/// The body of a staging prefix's lease object (`<prefix>/.lease`), and the expiry rule. Pure.
///
/// A writer's lease is renewed (the object rewritten) every `ttl / 3`; it has expired when the object was last
/// written more than `ttl` plus `grace` ago by the service's clock (`Last-Modified`, rounded up to the next
/// second), compared with the reader's clock. Clock skew between hosts only makes a takeover early or late: an early takeover is safe, because the
/// writer it replaces is fenced in the checkpoint store (see `LakeCommitter`), and only costs that writer a
/// restart.
public struct S3LeaseRecord: Sendable, Equatable, Codable {
    /// The staging prefix the lease covers.
    public var prefix: String
    /// The host and process that hold it, for operators.
    public var host: String
    public var pid: Int32
    /// How long the lease lives without a renewal, in milliseconds.
    public var ttlMs: Int64
    /// When the holder last renewed it (its wall clock), unix milliseconds, for operators.
    public var renewedAtMs: Int64

    enum CodingKeys: String, CodingKey {
        case prefix, host, pid
        case ttlMs = "ttl_ms"
        case renewedAtMs = "renewed_at_ms"
    }

    public init(prefix: String, host: String, pid: Int32, ttlMs: Int64, renewedAtMs: Int64) {
        self.prefix = prefix
        self.host = host
        self.pid = pid
        self.ttlMs = ttlMs
        self.renewedAtMs = renewedAtMs
    }

    /// JSON bytes.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data())
    }

    /// The record in `bytes`; nil when they are not one.
    public static func decode(_ bytes: [UInt8]) -> S3LeaseRecord? { try? JSONDecoder().decode(S3LeaseRecord.self, from: Data(bytes)) }

    /// Whether a lease written at `lastModified` (the service's clock, truncated to the second, so the write may
    /// have happened up to one second later) with `ttl` has expired at `now`, allowing `grace` for clock skew.
    public static func isExpired(lastModified: Date, ttl: Duration, grace: Duration, now: Date) -> Bool {
        let limit = ttl + grace + .seconds(1)
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        return now.timeIntervalSince(lastModified) > seconds
    }
}
