import Foundation

/// A client of one S3 bucket over libcurl, which signs each request with AWS Signature Version 4
/// (`CURLOPT_AWS_SIGV4`).
///
/// Implemented parts of the S3 API: PutObject (optionally create-only, `If-None-Match: *`), CreateMultipartUpload /
/// UploadPart / CompleteMultipartUpload (create-only too) / AbortMultipartUpload, CopyObject (create-only too),
/// HeadObject, HeadBucket, GetObject (whole or one byte range, to memory or to a file), ListObjectsV2 (prefix,
/// delimiter, start-after, pagination), DeleteObject and DeleteObjects (batches of 1,000, with `Content-MD5`).
/// Not implemented: UploadPartCopy (copies above 5 GiB), versioning, object tags/ACLs, SSE-C, presigned URLs.
///
/// Every call blocks the calling thread until the operation ends (run it off Swift's cooperative pool) and is
/// safe to make from several threads at once. Failed requests are retried per ``S3Configuration/retry``; every
/// request is safe to repeat (see ``putObject(key:body:createOnly:contentType:)`` for create-only writes).
/// Errors are ``S3Error`` values naming the operation, endpoint, bucket and key.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    /// The credentials requests are signed with; nil sends unsigned (anonymous) requests.
    public let credentials: AWSCredentials?
    let urls: S3URL
    let settings: CurlHandle.Settings
    let pool = CurlHandlePool()
    let sleep: @Sendable (Duration) -> Void
    let random: @Sendable () -> Double

    /// - Parameters:
    ///   - sleep: waits between attempts (tests inject a recorder). Default `Thread.sleep`.
    ///   - random: a number in `[0, 1)` for the backoff jitter. Default `Double.random(in:)`.
    /// - Throws: ``S3Error`` of kind `.configuration` when ``S3Configuration/validate()`` does.
    public init(configuration: S3Configuration, credentials: AWSCredentials?,
                sleep: @escaping @Sendable (Duration) -> Void = {
                    Thread.sleep(forTimeInterval: Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18)
                },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) throws {
        try configuration.validate()
        self.configuration = configuration
        self.credentials = credentials
        self.sleep = sleep
        self.random = random
        urls = S3URL(endpoint: configuration.resolvedEndpoint, bucket: configuration.bucket,
                     pathStyle: configuration.usesPathStyle)
        settings = CurlHandle.Settings(
            sigV4: credentials == nil ? nil : "aws:amz:\(configuration.region):s3",
            accessKeyId: credentials?.accessKeyId, secretAccessKey: credentials?.secretAccessKey,
            caFile: configuration.caFile,
            connectTimeoutMilliseconds: Int(configuration.connectTimeout.seconds * 1000),
            stallTimeoutSeconds: max(1, Int(configuration.stallTimeout.seconds.rounded(.up))))
    }

    /// `s3://bucket/` — for messages.
    public var bucketURI: String { "s3://\(configuration.bucket)/" }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
