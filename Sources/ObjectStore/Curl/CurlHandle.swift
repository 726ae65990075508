import CCurl
import Foundation

/// One libcurl easy handle. Not thread-safe: ``CurlHandlePool`` lends each to one transfer at a time. The handle
/// keeps its connection cache across transfers (`curl_easy_reset` keeps it), so requests reuse connections.
final class CurlHandle {
    /// Transport settings that are the same for every request of a client.
    struct Settings {
        /// `CURLOPT_AWS_SIGV4`'s parameter, e.g. `aws:amz:us-east-1:s3`; nil sends unsigned requests.
        var sigV4: String?
        var accessKeyId: String?
        var secretAccessKey: String?
        /// PEM bundle of trusted CAs; nil uses the system store.
        var caFile: String?
        var connectTimeoutMilliseconds: Int
        /// A transfer slower than 1 byte/s for this long fails with a timeout.
        var stallTimeoutSeconds: Int
    }

    private let handle: UnsafeMutableRawPointer

    init() {
        CurlGlobal.initialize()
        guard let handle = curl_easy_init() else { fatalError("weir: curl_easy_init failed (out of memory)") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Runs one request to completion on the calling thread.
    /// - Throws: ``TransportFailure`` when no complete response arrived.
    func perform(_ request: HTTPRequest, settings: Settings) throws -> HTTPResponse {
        curl_easy_reset(handle)
        let context = try TransferContext(request: request)
        defer { context.finish() }
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // No "Name:" removal entries: libcurl 7.88's signer would sign them although they are not sent. A POST
        // names its Content-Type (the S3 layer sets one), so libcurl's form-encoded default never applies.

        // Runs first (defers run in reverse): no option keeps pointing at the header list or the context's
        // error buffer once they are freed. The reset keeps the connection cache.
        defer { curl_easy_reset(handle) }
        try configure(request, settings: settings, headers: headerList, context: context)
        let code = curl_easy_perform(handle)
        if let local = context.localError {
            throw TransportFailure(code: Int(code.rawValue), message: local.description, mayHaveReachedServer: true,
                                   localError: local)
        }
        guard code == CURLE_OK else {
            let text = context.errorText.isEmpty ? String(cString: curl_easy_strerror(code)) : context.errorText
            let neverConnected = code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST
                || code == CURLE_COULDNT_RESOLVE_PROXY
            throw TransportFailure(code: Int(code.rawValue), message: text, mayHaveReachedServer: !neverConnected,
                                   localError: nil)
        }
        var status = 0
        _ = weir_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: context.responseHeaders, body: context.responseBody)
    }

    private func configure(_ request: HTTPRequest, settings: Settings, headers: UnsafeMutablePointer<curl_slist>?,
                           context: TransferContext) throws {
        let opaque = Unmanaged.passUnretained(context).toOpaque()
        try check(weir_curl_set_string(handle, CURLOPT_URL, request.url), "CURLOPT_URL")
        try check(weir_curl_set_long(handle, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try check(weir_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMilliseconds),
                  "CURLOPT_CONNECTTIMEOUT_MS")
        try check(weir_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1), "CURLOPT_LOW_SPEED_LIMIT")
        try check(weir_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, settings.stallTimeoutSeconds),
                  "CURLOPT_LOW_SPEED_TIME")
        try check(weir_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
        if let caFile = settings.caFile {
            try check(weir_curl_set_string(handle, CURLOPT_CAINFO, caFile), "CURLOPT_CAINFO")
        }
        if let sigV4 = settings.sigV4, let key = settings.accessKeyId, let secret = settings.secretAccessKey {
            try check(weir_curl_set_string(handle, CURLOPT_AWS_SIGV4, sigV4), "CURLOPT_AWS_SIGV4")
            try check(weir_curl_set_string(handle, CURLOPT_USERNAME, key), "CURLOPT_USERNAME")
            try check(weir_curl_set_string(handle, CURLOPT_PASSWORD, secret), "CURLOPT_PASSWORD")
        }
        try check(weir_curl_set_pointer(handle, CURLOPT_HTTPHEADER, headers), "CURLOPT_HTTPHEADER")
        try check(weir_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, context.errorBuffer), "CURLOPT_ERRORBUFFER")
        try check(weir_curl_set_callback(handle, CURLOPT_HEADERFUNCTION, TransferContext.headerCallback),
                  "CURLOPT_HEADERFUNCTION")
        try check(weir_curl_set_pointer(handle, CURLOPT_HEADERDATA, opaque), "CURLOPT_HEADERDATA")
        try check(weir_curl_set_callback(handle, CURLOPT_WRITEFUNCTION, TransferContext.writeCallback),
                  "CURLOPT_WRITEFUNCTION")
        try check(weir_curl_set_pointer(handle, CURLOPT_WRITEDATA, opaque), "CURLOPT_WRITEDATA")
        try configureMethod(request, opaque: opaque)
    }

    private func configureMethod(_ request: HTTPRequest, opaque: UnsafeMutableRawPointer) throws {
        let length = curl_off_t(request.body?.length ?? 0)
        if request.body != nil {
            try check(weir_curl_set_callback(handle, CURLOPT_READFUNCTION, TransferContext.readCallback),
                      "CURLOPT_READFUNCTION")
            try check(weir_curl_set_pointer(handle, CURLOPT_READDATA, opaque), "CURLOPT_READDATA")
            try check(weir_curl_set_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, 256 * 1024), "CURLOPT_UPLOAD_BUFFERSIZE")
        }
        switch request.method {
        case .get:
            break
        case .head:
            try check(weir_curl_set_long(handle, CURLOPT_NOBODY, 1), "CURLOPT_NOBODY")
        case .put:
            try check(weir_curl_set_long(handle, CURLOPT_UPLOAD, 1), "CURLOPT_UPLOAD")
            try check(weir_curl_set_offset(handle, CURLOPT_INFILESIZE_LARGE, length), "CURLOPT_INFILESIZE_LARGE")
        case .post:
            try check(weir_curl_set_long(handle, CURLOPT_POST, 1), "CURLOPT_POST")
            try check(weir_curl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, length), "CURLOPT_POSTFIELDSIZE_LARGE")
            if request.body == nil {
                try check(weir_curl_set_string(handle, CURLOPT_POSTFIELDS, ""), "CURLOPT_POSTFIELDS")
            }
        case .delete:
            try check(weir_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, "DELETE"), "CURLOPT_CUSTOMREQUEST")
        }
    }

    private func check(_ code: CURLcode, _ option: String) throws {
        guard code == CURLE_OK else {
            throw TransportFailure(code: Int(code.rawValue),
                                   message: "libcurl refused \(option): \(String(cString: curl_easy_strerror(code)))",
                                   mayHaveReachedServer: false, localError: nil)
        }
    }
}
