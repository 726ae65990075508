/// One HTTP request as the S3 layer builds it: the URL is complete (path-style, query already in canonical
/// order), the headers are final except for what the signer adds (`Authorization`, `X-Amz-Date`).
struct HTTPRequest {
    enum Method: String { case get = "GET", head = "HEAD", put = "PUT", post = "POST", delete = "DELETE" }

    /// Where the response body goes when the status is 2xx (error bodies always go to memory).
    enum Sink {
        /// Kept in memory, at most `limit` bytes (a longer body fails the transfer).
        case memory(limit: Int)
        /// Written to a local file (created or truncated).
        case file(path: String)
    }

    var method: Method
    var url: String
    var headers: [(name: String, value: String)]
    var body: UploadBody?
    var sink: Sink = .memory(limit: 1 << 20)
}

/// A received HTTP response. Header names are lower-cased; a repeated header keeps its last value.
struct HTTPResponse {
    var status: Int
    var headers: [String: String]
    /// The body when it went to memory (always for non-2xx statuses); empty when it went to a file.
    var body: [UInt8]

    var isSuccess: Bool { (200..<300).contains(status) }
}

/// A transfer that ended without a complete HTTP response (connection refused, DNS, TLS, timeout, reset).
struct TransportFailure: Error {
    /// libcurl's `CURLcode`.
    var code: Int
    /// libcurl's error buffer text, or `curl_easy_strerror`.
    var message: String
    /// Whether any request bytes may have reached the server: false only when the connection was never made.
    var mayHaveReachedServer: Bool
    /// A local error raised inside a callback (file read failure), rethrown as is.
    var localError: S3Error?
}
