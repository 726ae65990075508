import CCurl

/// `curl_global_init` must run once, before any handle exists and before other threads use libcurl.
enum CurlGlobal {
    private static let initialized: Bool = {
        let code = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        precondition(code == CURLE_OK, "weir: curl_global_init failed: \(String(cString: curl_easy_strerror(code)))")
        return true
    }()

    static func initialize() { _ = initialized }

    /// libcurl's version line, e.g. `libcurl/7.88.1 OpenSSL/3.0.19 ...`.
    static var version: String { String(cString: curl_version()) }
}
