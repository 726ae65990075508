/// A failed S3 operation, named by operation, endpoint, bucket and key, with the server's error code when a
/// response arrived. Its `description` starts with `weir:` and ends with the likely fix; it never contains a
/// secret access key or session token (the request is described by method and object, never by headers).
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as far as the caller needs to decide.
    public enum Kind: Sendable, Equatable {
        /// The service rejected the credentials (`InvalidAccessKeyId`, `SignatureDoesNotMatch`, `ExpiredToken`,
        /// `InvalidToken`, `AuthorizationHeaderMalformed`).
        case invalidCredentials
        /// The credentials are valid but not allowed this operation (`AccessDenied`), or none were found and the
        /// service does not accept anonymous requests.
        case accessDenied
        /// The bucket does not exist (`NoSuchBucket`, or 404 on a bucket-level request).
        case noSuchBucket
        /// The object does not exist.
        case noSuchKey
        /// The multipart upload does not exist (aborted, completed, or expired).
        case noSuchUpload
        /// No connection could be made to the endpoint (connection refused, DNS failure), after the retries.
        case unreachable
        /// The connection or the transfer stalled past its timeout, after the retries.
        case timeout
        /// TLS failed: the certificate is not trusted by the system store or `ca_file`, or the handshake failed.
        case tls
        /// The service kept answering 503 SlowDown / 429 past the retries.
        case throttled
        /// The service kept answering 5xx past the retries.
        case serverError
        /// Any other error response (the status and code say which).
        case rejected
        /// A 2xx response whose body is not what the S3 API specifies.
        case invalidResponse
        /// A local file could not be read (upload) or written (download).
        case localFile
        /// The client configuration is invalid (endpoint, bucket name, part size).
        case configuration
    }

    public var kind: Kind
    /// The S3 API action, e.g. `PutObject`, `ListObjectsV2`, `CompleteMultipartUpload`.
    public var operation: String
    /// The endpoint URL, e.g. `http://127.0.0.1:8333`.
    public var endpoint: String
    public var bucket: String
    public var key: String?
    /// The HTTP status of the last response, when one arrived.
    public var status: Int?
    /// The S3 error code of the last response (`NoSuchBucket`, `SlowDown`, ...), when there was one.
    public var code: String?
    /// The server's message, or libcurl's description of the transport failure, or the local failure.
    public var message: String
    /// The request id of the last response, for the service's support.
    public var requestId: String?
    /// How many attempts were made (1 when the error was not retried).
    public var attempts: Int

    public init(kind: Kind, operation: String, endpoint: String, bucket: String, key: String? = nil,
                status: Int? = nil, code: String? = nil, message: String, requestId: String? = nil,
                attempts: Int = 1) {
        self.kind = kind
        self.operation = operation
        self.endpoint = endpoint
        self.bucket = bucket
        self.key = key
        self.status = status
        self.code = code
        self.message = message
        self.requestId = requestId
        self.attempts = attempts
    }

    /// A local file failure, before the client adds the operation and endpoint.
    static func localFile(_ path: String, _ message: String) -> S3Error {
        S3Error(kind: .localFile, operation: "", endpoint: "", bucket: "", message: "\(path): \(message)")
    }

    public var description: String {
        let object = "s3://\(bucket)/\(key ?? "")"
        var text = "weir: S3 \(operation.isEmpty ? "request" : operation) \(object) at \(endpoint) failed: "
        if kind == .localFile { return text + message }
        if let status { text += "HTTP \(status)" + (code.map { " \($0)" } ?? "") + ": " }
        text += message.isEmpty ? "\(kind)" : message
        if attempts > 1 { text += " (after \(attempts) attempts)" }
        if let requestId { text += " [request id \(requestId)]" }
        if let hint { text += "; \(hint)" }
        return text
    }

    /// The likely fix, for the kinds that have one.
    public var hint: String? {
        switch kind {
        case .invalidCredentials:
            return "check the credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE, or the shared credentials file) and the region"
        case .accessDenied:
            return "grant these credentials access to bucket '\(bucket)' (or set credentials if none were found)"
        case .noSuchBucket:
            return "create bucket '\(bucket)' or fix the bucket name"
        case .unreachable:
            return "check that the endpoint is right and the service is running"
        case .timeout:
            return "the service did not answer in time; check the endpoint and the network"
        case .tls:
            return "check the endpoint's certificate, or give the CA bundle that signed it as the CA file"
        default:
            return nil
        }
    }
}
