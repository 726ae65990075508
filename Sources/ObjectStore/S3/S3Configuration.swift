import Foundation

/// Where and how an ``S3Client`` talks to one bucket.
public struct S3Configuration: Sendable {
    /// The service URL without bucket, e.g. `http://127.0.0.1:8333` or `https://s3.eu-west-1.amazonaws.com`.
    /// Default nil: AWS S3 in `region` (`https://s3.<region>.amazonaws.com`).
    public var endpoint: String?
    /// The signing region. Default `us-east-1` (what most S3-compatible services expect).
    public var region: String
    /// The bucket every operation addresses.
    public var bucket: String
    /// Path-style (`https://host/bucket/key`) or virtual-hosted (`https://bucket.host/key`) URLs. Default: path
    /// style for a custom endpoint; virtual-hosted for AWS unless the bucket name has dots (TLS wildcards).
    public var pathStyle: Bool?
    /// A PEM bundle of trusted certificate authorities for TLS. Default nil: the system store.
    public var caFile: String?
    /// How long a connection may take to establish. Default 10 s.
    public var connectTimeout: Duration
    /// A transfer that moves no byte for this long fails (and is retried). Default 60 s.
    public var stallTimeout: Duration
    /// When and how failed requests are retried. Default ``RetryPolicy/standard``.
    public var retry: RetryPolicy
    /// Files larger than this many bytes are uploaded in parts. Default 16 MiB.
    public var multipartThreshold: UInt64
    /// Part size of multipart uploads, in bytes; at least 8 MiB (S3's own floor is 5 MiB). Default 16 MiB. Grows
    /// for files of more than 10,000 parts.
    public var partSize: UInt64

    /// Called before each retry (after a retryable response or transport failure), for logs and metrics; must not
    /// block. Default nil.
    public var onRetry: (@Sendable (S3Retry) -> Void)?

    /// The smallest `partSize` accepted: 8 MiB (8,388,608 bytes).
    public static let minimumPartSize: UInt64 = 8 << 20

    public init(bucket: String, endpoint: String? = nil, region: String = "us-east-1", pathStyle: Bool? = nil,
                caFile: String? = nil, connectTimeout: Duration = .seconds(10), stallTimeout: Duration = .seconds(60),
                retry: RetryPolicy = .standard, multipartThreshold: UInt64 = 16 << 20, partSize: UInt64 = 16 << 20) {
        self.bucket = bucket
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.retry = retry
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
    }

    /// The endpoint actually used.
    public var resolvedEndpoint: String {
        let raw = endpoint ?? "https://s3.\(region).amazonaws.com"
        return raw.hasSuffix("/") ? String(raw.dropLast()) : raw
    }

    /// Whether URLs are path-style.
    public var usesPathStyle: Bool { pathStyle ?? (endpoint != nil || bucket.contains(".")) }

    /// Checks the settings a request cannot succeed without.
    /// - Throws: ``S3Error`` of kind `.configuration` naming the setting and the fix.
    public func validate() throws {
        func fail(_ message: String) -> S3Error {
            S3Error(kind: .configuration, operation: "configure", endpoint: resolvedEndpoint, bucket: bucket,
                    message: message)
        }
        guard let url = URL(string: resolvedEndpoint), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil else {
            throw fail("endpoint '\(resolvedEndpoint)' is not an http:// or https:// URL")
        }
        guard url.path.isEmpty || url.path == "/" else {
            throw fail("endpoint '\(resolvedEndpoint)' has a path; give the service URL only (the bucket is separate)")
        }
        guard S3Configuration.isValidBucketName(bucket) else {
            throw fail("bucket name '\(bucket)' is invalid: 3-63 characters of lower-case letters, digits, '.' and '-', starting and ending with a letter or digit")
        }
        guard !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw fail("region '\(region)' is invalid (e.g. us-east-1)")
        }
        guard partSize >= S3Configuration.minimumPartSize else {
            throw fail("part size \(partSize) bytes is below the minimum of \(S3Configuration.minimumPartSize) (8 MiB)")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw fail("CA file '\(caFile)' is not a readable file")
        }
    }

    static func isValidBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        let allowed = bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        return allowed && alnum(bytes.first!) && alnum(bytes.last!)
    }
}

/// A request that failed in a retryable way and is about to be sent again (`S3Configuration.onRetry`).
public struct S3Retry: Sendable {
    /// The S3 API action, e.g. `PutObject`.
    public let action: String
    /// The object key; nil for a bucket-level request.
    public let key: String?
    /// What the failed attempt ended with (a status and S3 error code, or a transport failure).
    public let outcome: AttemptOutcome
    /// The attempt that failed, from 1.
    public let attempt: Int
    /// The wait before the next attempt.
    public let delay: Duration
}
