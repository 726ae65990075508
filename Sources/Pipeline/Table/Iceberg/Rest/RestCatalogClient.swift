import Foundation
import Iceberg
import ObjectStore

/// A client of the Apache Iceberg REST catalog protocol (the OpenAPI spec `rest-catalog-open-api.yaml`): the
/// config endpoint, namespaces, create table, load table and commit table, over libcurl (`HTTPClient`).
///
/// Authentication: an OAuth2 client-credentials grant (`credential` as `client_id:client_secret`, exchanged at
/// `<uri>/v1/oauth/tokens` for a bearer token, renewed a minute before it expires and once after a 401), or a
/// fixed bearer `token`, or none.
public final class RestCatalogClient: @unchecked Sendable {
    /// A table as the catalog returns it.
    public struct LoadedTable: Sendable {
        public var metadataLocation: String
        public var metadata: TableMetadata
    }

    /// How a commit ended.
    public enum CatalogCommitOutcome: Sendable {
        case committed(LoadedTable)
        /// 409: a requirement failed (another writer committed first); reload and plan again.
        case conflict(String)
        /// 5xx, a gateway timeout or a lost connection: the commit may or may not have been applied.
        case unknown(String)
    }

    public let uri: String
    public let warehouse: String?
    private let http: HTTPClient
    private let credential: String?
    private let fixedToken: String?
    private let lock = NSLock()
    private var token: (value: String, expires: ContinuousClock.Instant?)?
    /// The path prefix the config endpoint's `overrides.prefix` names (`/v1/<prefix>/namespaces/...`).
    private var prefix = ""

    /// - Parameters:
    ///   - uri: the catalog's base URL, e.g. `http://127.0.0.1:8181` (without `/v1`).
    ///   - warehouse: sent to the config endpoint as `warehouse` (what the catalog serves; nil: the default).
    public init(uri: String, warehouse: String?, credential: String?, token: String?, http: HTTPClient = HTTPClient()) {
        self.uri = uri.hasSuffix("/") ? String(uri.dropLast()) : uri
        self.warehouse = warehouse
        self.credential = credential
        fixedToken = token
        self.http = http
    }

    /// Reads the catalog's configuration (the URL prefix of its routes).
    /// - Throws: `RestCatalogError` when the catalog cannot be reached or refuses.
    public func connect() throws {
        var url = uri + "/v1/config"
        if let warehouse { url += "?warehouse=" + Self.escape(warehouse) }
        let json = try object(try request("GET", url, expect: [200], operation: "read the catalog configuration"))
        let overrides = json["overrides"] as? [String: Any] ?? [:]
        let defaults = json["defaults"] as? [String: Any] ?? [:]
        if let p = (overrides["prefix"] ?? defaults["prefix"]) as? String, !p.isEmpty { prefix = p }
    }

    /// Creates `namespace` unless it exists.
    public func ensureNamespace(_ namespace: [String]) throws {
        let url = base + "/namespaces"
        let body = try JSONSerialization.data(withJSONObject: ["namespace": namespace, "properties": [String: String]()])
        _ = try request("POST", url, body: Array(body), expect: [200, 409], operation: "create namespace \(namespace.joined(separator: "."))")
    }

    /// The table, nil when the catalog has no such table (404).
    public func loadTable(_ namespace: [String], _ name: String) throws -> LoadedTable? {
        let response = try request("GET", tableURL(namespace, name), expect: [200, 404], operation: "load table \(Self.display(namespace, name))")
        return response.status == 404 ? nil : try loaded(response, namespace, name)
    }

    /// Creates a table at `location` with `schema` and `spec`.
    /// - Throws: `RestCatalogError` (409 when it exists already).
    public func createTable(_ namespace: [String], _ name: String, location: String, schema: IcebergSchema, spec: PartitionSpec,
                            properties: [String: String]) throws -> LoadedTable {
        let body: [String: Any] = [
            "name": name, "location": location, "schema": try Self.jsonObject(schema), "partition-spec": try Self.jsonObject(spec),
            "write-order": ["order-id": 0, "fields": [Any]()], "properties": properties, "stage-create": false,
        ]
        let response = try request("POST", base + "/namespaces/" + Self.namespacePath(namespace) + "/tables",
                                   body: Array(try JSONSerialization.data(withJSONObject: body)), expect: [200],
                                   operation: "create table \(Self.display(namespace, name))")
        return try loaded(response, namespace, name)
    }

    /// Commits `updates` to the table if every requirement holds (`RestTableCommit` builds both).
    public func commit(_ namespace: [String], _ name: String, _ commit: RestCommitRequest) throws -> CatalogCommitOutcome {
        let operation = "commit to table \(Self.display(namespace, name))"
        let response: HTTPClient.Response
        do {
            response = try request("POST", tableURL(namespace, name), body: try commit.body(namespace: namespace, name: name),
                                   expect: [200, 409, 500, 502, 503, 504], operation: operation, repeatable: false)
        } catch let error as RestCatalogError where error.mayHaveApplied {
            return .unknown(error.description)
        }
        switch response.status {
        case 200: return .committed(try loaded(response, namespace, name))
        case 409: return .conflict(Self.errorMessage(response.body))
        default: return .unknown("HTTP \(response.status): \(Self.errorMessage(response.body))")
        }
    }

    // MARK: requests

    private var base: String { uri + "/v1" + (prefix.isEmpty ? "" : "/" + Self.escape(prefix)) }

    private func tableURL(_ namespace: [String], _ name: String) -> String {
        base + "/namespaces/" + Self.namespacePath(namespace) + "/tables/" + Self.escape(name)
    }

    /// One request; a 401 fetches a new token once. Unless the request is a commit (`repeatable` false), a 5xx or
    /// a lost connection is tried again up to 4 times (0.5 s, 1 s, 1.5 s apart): loads are reads, and creating a
    /// namespace or table that an earlier attempt created answers 409, which callers accept.
    private func request(_ method: String, _ url: String, body: [UInt8]? = nil, expect: Set<Int>, operation: String,
                         repeatable: Bool = true) throws -> HTTPClient.Response {
        var attempt = 1
        while true {
            do {
                return try requestOnce(method, url, body: body, expect: expect, operation: operation)
            } catch let error as RestCatalogError where repeatable && attempt < 4 && (error.status.map { $0 >= 500 } ?? true) {
                Thread.sleep(forTimeInterval: 0.5 * Double(attempt))
                attempt += 1
            }
        }
    }

    private func requestOnce(_ method: String, _ url: String, body: [UInt8]?, expect: Set<Int>, operation: String) throws -> HTTPClient.Response {
        for attempt in 1...2 {
            var headers = [("Accept", "application/json")]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            if let bearer = try bearer(renew: attempt > 1) { headers.append(("Authorization", "Bearer " + bearer)) }
            let response: HTTPClient.Response
            do {
                response = try http.send(method, url, headers: headers, body: body)
            } catch let error as HTTPTransportError {
                throw RestCatalogError(uri: uri, operation: operation, status: nil, message: error.message,
                                       mayHaveApplied: method == "POST" && error.mayHaveReachedServer)
            }
            if response.status == 401, attempt == 1, credential != nil { continue }
            guard expect.contains(response.status) else {
                throw RestCatalogError(uri: uri, operation: operation, status: response.status, message: Self.errorMessage(response.body),
                                       mayHaveApplied: method == "POST" && response.status >= 500)
            }
            return response
        }
        preconditionFailure("the second attempt returns or throws")
    }

    /// The bearer token to send: the fixed one, or a client-credentials token (fetched when missing, about to
    /// expire or `renew`).
    private func bearer(renew: Bool) throws -> String? {
        if let fixedToken { return fixedToken }
        guard let credential else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if !renew, let token, token.expires.map({ ContinuousClock.now < $0 }) ?? true { return token.value }
        let (id, secret) = credential.contains(":")
            ? (String(credential.prefix { $0 != ":" }), String(credential.drop { $0 != ":" }.dropFirst())) : ("", credential)
        var form = "grant_type=client_credentials&scope=catalog&client_secret=" + Self.escape(secret)
        if !id.isEmpty { form += "&client_id=" + Self.escape(id) }
        let url = uri + "/v1/oauth/tokens"
        let response: HTTPClient.Response
        do {
            response = try http.send("POST", url, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                     body: Array(form.utf8))
        } catch let error as HTTPTransportError {
            throw RestCatalogError(uri: uri, operation: "get an OAuth2 token", status: nil, message: error.message, mayHaveApplied: false)
        }
        guard response.status == 200, let json = try? object(response), let value = json["access_token"] as? String else {
            throw RestCatalogError(uri: uri, operation: "get an OAuth2 token (client credentials)", status: response.status,
                                   message: Self.errorMessage(response.body), mayHaveApplied: false)
        }
        let lifetime = (json["expires_in"] as? NSNumber)?.intValue
        token = (value, lifetime.map { ContinuousClock.now + .seconds(max(0, $0 - 60)) })
        return value
    }

    private func object(_ response: HTTPClient.Response) throws -> [String: Any] {
        guard let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw RestCatalogError(uri: uri, operation: "read a response", status: response.status,
                                   message: "the body is not a JSON object: \(String(decoding: response.body.prefix(300), as: UTF8.self))",
                                   mayHaveApplied: false)
        }
        return json
    }

    private func loaded(_ response: HTTPClient.Response, _ namespace: [String], _ name: String) throws -> LoadedTable {
        let json = try object(response)
        guard let location = json["metadata-location"] as? String, let metadata = json["metadata"] else {
            throw RestCatalogError(uri: uri, operation: "load table \(Self.display(namespace, name))", status: response.status,
                                   message: "the response has no metadata-location or metadata", mayHaveApplied: false)
        }
        do {
            var decoded = try TableMetadata.decode(Array(try JSONSerialization.data(withJSONObject: metadata)))
            // The REST spec lets a catalog write -1 for "no current snapshot".
            if decoded.currentSnapshotID == -1 { decoded.currentSnapshotID = nil }
            return LoadedTable(metadataLocation: location, metadata: decoded)
        } catch {
            throw RestCatalogError(uri: uri, operation: "load table \(Self.display(namespace, name))", status: response.status,
                                   message: "its metadata is not format v2 table metadata Weir can read: \(error)", mayHaveApplied: false)
        }
    }

    static func jsonObject<T: Encodable>(_ value: T) throws -> Any {
        try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value))
    }

    /// The `error.message` of an error response (the spec's `IcebergErrorResponse`), else the body's start.
    static func errorMessage(_ body: [UInt8]) -> String {
        if let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
           let error = json["error"] as? [String: Any] {
            return [error["type"] as? String, error["message"] as? String].compactMap { $0 }.joined(separator: ": ")
        }
        return body.isEmpty ? "no body" : String(decoding: body.prefix(300), as: UTF8.self)
    }

    /// Namespace levels joined by the unit separator (0x1F), as the spec's path parameter.
    static func namespacePath(_ namespace: [String]) -> String { namespace.map(escape).joined(separator: "%1F") }

    static func display(_ namespace: [String], _ name: String) -> String { (namespace + [name]).joined(separator: ".") }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

/// A REST catalog request that failed.
public struct RestCatalogError: Error, Sendable, CustomStringConvertible {
    public let uri: String
    public let operation: String
    /// The HTTP status, nil when no response arrived.
    public let status: Int?
    public let message: String
    /// Whether the catalog may have applied the request (a POST that got a 5xx or lost its connection).
    public let mayHaveApplied: Bool

    public var description: String {
        "the Iceberg REST catalog \(uri) could not \(operation)" + (status.map { " (HTTP \($0))" } ?? "") + ": \(message)"
    }
}
