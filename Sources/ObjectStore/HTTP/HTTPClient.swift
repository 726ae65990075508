import Foundation

/// A small HTTP client over the same libcurl handles as ``S3Client``, for JSON services next to the object store
/// (an Apache Iceberg REST catalog): one request, one complete response, no signing, no retries (the caller
/// decides what is safe to repeat).
public final class HTTPClient: @unchecked Sendable {
    /// A complete response. Header names are lower-cased.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
    }

    private let pool = CurlHandlePool(capacity: 4)
    private let settings: CurlHandle.Settings
    /// The largest response body kept, in bytes (a larger one fails the request).
    private let bodyLimit: Int

    /// - Parameters:
    ///   - caFile: a PEM bundle of trusted CAs for HTTPS; nil uses the system store.
    ///   - connectTimeout: how long a connection may take to open (default 10 s).
    ///   - stallTimeout: a response slower than 1 byte/s for this long fails (default 60 s).
    ///   - bodyLimit: the largest response body, bytes (default 64 MiB: a table's metadata can be large).
    public init(caFile: String? = nil, connectTimeout: Duration = .seconds(10), stallTimeout: Duration = .seconds(60),
                bodyLimit: Int = 64 << 20) {
        settings = CurlHandle.Settings(sigV4: nil, accessKeyId: nil, secretAccessKey: nil, caFile: caFile,
                                       connectTimeoutMilliseconds: Int(connectTimeout.components.seconds * 1000),
                                       stallTimeoutSeconds: Int(stallTimeout.components.seconds))
        self.bodyLimit = bodyLimit
    }

    /// Sends one request and returns the response, whatever its status.
    /// - Parameters:
    ///   - method: `GET`, `HEAD`, `POST`, `PUT` or `DELETE`.
    ///   - headers: request headers; a body needs its `Content-Type` among them.
    /// - Throws: ``HTTPTransportError`` when no complete response arrived (refused, timeout, TLS, reset).
    public func send(_ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> Response {
        guard let verb = HTTPRequest.Method(rawValue: method) else {
            throw HTTPTransportError(url: url, message: "unsupported method \(method)", mayHaveReachedServer: false)
        }
        let request = HTTPRequest(method: verb, url: url, headers: headers.map { (name: $0.0, value: $0.1) },
                                  body: body.map { .bytes($0) }, sink: .memory(limit: bodyLimit))
        do {
            let response = try pool.withHandle { try $0.perform(request, settings: settings) }
            return Response(status: response.status, headers: response.headers, body: response.body)
        } catch let failure as TransportFailure {
            throw HTTPTransportError(url: url, message: failure.message, mayHaveReachedServer: failure.mayHaveReachedServer)
        }
    }
}

/// A request that got no complete HTTP response.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    public let url: String
    /// libcurl's error text.
    public let message: String
    /// False only when the connection was never made: the server cannot have acted on the request.
    public let mayHaveReachedServer: Bool

    public var description: String { "\(url): \(message)" }
}
