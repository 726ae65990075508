/// One S3 API call as the client's operations describe it; ``S3Client/execute(_:)`` turns it into signed
/// attempts.
struct S3Call {
    var operation: String
    var method: HTTPRequest.Method
    /// nil addresses the bucket.
    var key: String?
    var query: [(String, String)] = []
    var headers: [(name: String, value: String)] = []
    var body: UploadBody?
    /// The body's MD5, sent as `Content-MD5`; computed here for in-memory bodies when nil.
    var contentMD5: [UInt8]?
    var contentType: String?
    var sink: HTTPRequest.Sink = .memory(limit: 16 << 20)
    /// CopyObject and CompleteMultipartUpload may answer 200 with an `<Error>` body: treat that as a failure.
    var errorMayHide200 = false
}

/// The response an ``S3Call`` ended with: a 2xx, or an error response that is not retryable (the caller
/// decides what 404 or 412 mean).
struct S3CallResult {
    var response: HTTPResponse
    var attempts: Int
    /// An earlier attempt failed in a way that may have reached the service (it may have been applied).
    var earlierAttemptMayHaveApplied: Bool
}
