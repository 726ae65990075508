/// How one HTTP attempt ended, as far as retrying is concerned.
public enum AttemptOutcome: Sendable, Equatable {
    /// A response arrived with this status and, when the body was an S3 error, its code.
    case response(status: Int, code: String?)
    /// No complete response arrived.
    case transport(TransportFailureKind)

    /// 5xx, 429, `SlowDown` / `RequestTimeout` / `InternalError` / `ConditionalRequestConflict` codes and transient transport failures are
    /// retryable; every other response (4xx: credentials, missing bucket, precondition) is final.
    public var isRetryable: Bool {
        switch self {
        case .response(let status, let code):
            if let code, AttemptOutcome.retryableCodes.contains(code) { return true }
            return status >= 500 || status == 429
        case .transport(let kind):
            return kind != .tls && kind != .local && kind != .other
        }
    }

    /// Whether the service said to slow down.
    public var isThrottle: Bool {
        if case .response(let status, let code) = self {
            return status == 429 || code == "SlowDown" || code == "Throttling" || code == "ThrottlingException"
        }
        return false
    }

    static let retryableCodes: Set<String> = [
        "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout",
        "InternalError", "ServiceUnavailable",
        // A create-only write raced another in flight on the same key: AWS asks to retry (the retry gets 412
        // if the other write won).
        "ConditionalRequestConflict",
    ]
}

/// Transport failures grouped by what they mean for a retry and for the error reported.
public enum TransportFailureKind: Sendable, Equatable {
    /// Connection refused or the name did not resolve: the request never reached a server.
    case connect
    /// The connection or transfer timed out.
    case timeout
    /// The connection broke mid-exchange (reset, empty reply, short body).
    case broken
    /// TLS verification or handshake failed: not retried.
    case tls
    /// A local failure (reading the upload file): not retried.
    case local
    /// Anything else libcurl reports (bad option, bad URL): not retried.
    case other

    /// Classifies a libcurl `CURLcode`.
    public init(curlCode: Int) {
        switch curlCode {
        case 5, 6, 7: self = .connect                 // COULDNT_RESOLVE_PROXY, COULDNT_RESOLVE_HOST, COULDNT_CONNECT
        case 28: self = .timeout                       // OPERATION_TIMEDOUT
        case 16, 18, 52, 55, 56, 92: self = .broken    // HTTP2, PARTIAL_FILE, GOT_NOTHING, SEND_ERROR, RECV_ERROR, HTTP2_STREAM
        case 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91: self = .tls
        case 23, 26, 42: self = .local                 // WRITE_ERROR, READ_ERROR, ABORTED_BY_CALLBACK
        default: self = .other
        }
    }
}
