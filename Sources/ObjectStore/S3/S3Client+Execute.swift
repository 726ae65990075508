import Foundation

extension S3Client {
    /// Runs `call` with retries. Returns the first 2xx response or the first non-retryable error response.
    /// - Throws: ``S3Error`` when the attempts are used up (5xx, throttling, transport failures) or on a
    ///   non-retryable transport failure (TLS, local file).
    func execute(_ call: S3Call) throws -> S3CallResult {
        let request = try makeRequest(call)
        var attempt = 1
        var mayHaveApplied = false
        while true {
            let outcome: AttemptOutcome
            var lastFailure: TransportFailure?
            var lastResponse: HTTPResponse?
            do {
                var response = try pool.withHandle { try $0.perform(request, settings: settings) }
                if response.isSuccess, call.errorMayHide200, let error = S3ErrorBody(response.body) {
                    // A 200 whose body is an error: the operation failed inside the service.
                    response.status = 500
                    outcome = .response(status: 200, code: error.code)
                } else {
                    outcome = .response(status: response.status,
                                        code: response.isSuccess ? nil : S3ErrorBody(response.body)?.code)
                }
                if response.isSuccess || !outcome.isRetryable {
                    return S3CallResult(response: response, attempts: attempt, earlierAttemptMayHaveApplied: mayHaveApplied)
                }
                lastResponse = response
            } catch let failure as TransportFailure {
                if let local = failure.localError { throw contextualize(local, call) }
                outcome = .transport(TransportFailureKind(curlCode: failure.code))
                lastFailure = failure
            }
            switch configuration.retry.decision(after: outcome, attempt: attempt, random: random()) {
            case .retry(let delay):
                if case .transport(let kind) = outcome, kind == .connect {} else { mayHaveApplied = true }
                configuration.onRetry?(S3Retry(action: call.operation, key: call.key, outcome: outcome, attempt: attempt, delay: delay))
                sleep(delay)
                attempt += 1
            case .giveUp, .fail:
                if let lastResponse { throw error(for: lastResponse, call, attempts: attempt) }
                throw error(for: lastFailure!, call, attempts: attempt)
            }
        }
    }

    private func makeRequest(_ call: S3Call) throws -> HTTPRequest {
        var headers = call.headers
        switch call.body {
        case .bytes(let bytes):
            headers.append(("x-amz-content-sha256", Digest.sha256(bytes).hexString))
            headers.append(("Content-MD5", (call.contentMD5 ?? Digest.md5(bytes)).base64String))
        case .file:
            // Streamed from disk: the payload is not hashed twice; Content-MD5 still protects it end to end.
            headers.append(("x-amz-content-sha256", "UNSIGNED-PAYLOAD"))
            if let md5 = call.contentMD5 { headers.append(("Content-MD5", md5.base64String)) }
        case nil:
            headers.append(("x-amz-content-sha256", S3Client.emptySHA256))
        }
        if call.body != nil || call.method == .post {
            headers.append(("Content-Type", call.contentType ?? "application/octet-stream"))
        }
        if let token = credentials?.sessionToken { headers.append(("x-amz-security-token", token)) }
        return HTTPRequest(method: call.method, url: urls.url(key: call.key, query: call.query), headers: headers,
                           body: call.body, sink: call.sink)
    }

    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The typed error for a final error response.
    func error(for response: HTTPResponse, _ call: S3Call, attempts: Int) -> S3Error {
        let body = S3ErrorBody(response.body)
        let code = body?.code
        let kind: S3Error.Kind
        switch code {
        case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
             "AuthorizationHeaderMalformed", "InvalidSecurity", "MissingSecurityHeader":
            kind = .invalidCredentials
        case "AccessDenied", "AllAccessDisabled": kind = .accessDenied
        case "NoSuchBucket": kind = .noSuchBucket
        case "NoSuchKey": kind = .noSuchKey
        case "NoSuchUpload": kind = .noSuchUpload
        case "SlowDown", "Throttling", "ThrottlingException": kind = .throttled
        default:
            switch response.status {
            case 404: kind = call.key == nil ? .noSuchBucket : .noSuchKey
            case 403: kind = .accessDenied
            case 429: kind = .throttled
            case 503 where code == nil: kind = .throttled
            case 500...: kind = .serverError
            default: kind = .rejected
            }
        }
        var message = body?.message ?? ""
        if message.isEmpty {
            message = response.status == 403 && call.method == .head
                ? "access denied or invalid credentials (a HEAD response carries no error code)"
                : (code ?? "HTTP \(response.status) with no error body")
        }
        return S3Error(kind: kind, operation: call.operation, endpoint: configuration.resolvedEndpoint,
                       bucket: configuration.bucket, key: call.key, status: response.status, code: code,
                       message: message, requestId: body?.requestId ?? response.headers["x-amz-request-id"],
                       attempts: attempts)
    }

    func error(for failure: TransportFailure, _ call: S3Call, attempts: Int) -> S3Error {
        let kind: S3Error.Kind
        switch TransportFailureKind(curlCode: failure.code) {
        case .connect, .broken: kind = .unreachable
        case .timeout: kind = .timeout
        case .tls: kind = .tls
        case .local: kind = .localFile
        case .other: kind = .rejected
        }
        return S3Error(kind: kind, operation: call.operation, endpoint: configuration.resolvedEndpoint,
                       bucket: configuration.bucket, key: call.key, message: failure.message, attempts: attempts)
    }

    func contextualize(_ error: S3Error, _ call: S3Call) -> S3Error {
        var error = error
        error.operation = call.operation
        error.endpoint = configuration.resolvedEndpoint
        error.bucket = configuration.bucket
        error.key = call.key
        return error
    }

    /// The error for a 2xx response whose body is not the documented XML.
    func invalidResponse(_ call: S3Call, _ what: String) -> S3Error {
        S3Error(kind: .invalidResponse, operation: call.operation, endpoint: configuration.resolvedEndpoint,
                bucket: configuration.bucket, key: call.key, message: what)
    }
}
