import Foundation

/// Where a `PostgresCheckpointStore` lives: a `postgres://` (or `postgresql://`) URL as libpq reads it, e.g.
/// `postgres://weir@db.internal:5432/weir?sslmode=verify-full`. Whatever the URL leaves out (password, TLS
/// files, host…) libpq takes from the `PG*` environment variables and `~/.pgpass`.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// The URL as given; it may hold a password: never print it, print `redacted`.
    public let url: String

    /// Whether `text` names a PostgreSQL store rather than a file.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// - Throws: `StoreError` (not retriable) naming the redacted URL and libpq's reason when the URL is malformed.
    public init(url: String) throws {
        self.url = url
        guard Self.isPostgresURL(url) else {
            throw StoreError(message: "'\(Self.redact(url))' is not a postgres:// URL", isRetriable: false,
                             fix: "use postgres://user@host:port/database")
        }
        let options: [String: String]
        do {
            options = try PGConnectionString.parse(url)
        } catch let error as PGError {
            throw StoreError(message: "'\(Self.redact(url))' is not a valid PostgreSQL URL: \(Self.redact(error.message))",
                             isRetriable: false, fix: "use postgres://user@host:port/database[?sslmode=…]")
        }
        // libpq checks these only when it connects, and its error would read like an unreachable server.
        for port in options["port"]?.split(separator: ",", omittingEmptySubsequences: false) ?? []
        where !port.isEmpty && !(UInt16(port).map { $0 > 0 } ?? false) {
            throw StoreError(message: "'\(Self.redact(url))' is not a valid PostgreSQL URL: port '\(port)' is not a number from 1 to 65535",
                             isRetriable: false, fix: "use postgres://user@host:port/database[?sslmode=…]")
        }
        let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
        if let mode = options["sslmode"], !sslModes.contains(mode) {
            throw StoreError(message: "'\(Self.redact(url))' is not a valid PostgreSQL URL: unknown sslmode '\(mode)'",
                             isRetriable: false, fix: "use one of " + sslModes.joined(separator: ", ") + " (postgres://user@host:port/database?sslmode=…)")
        }
    }

    /// The URL with its password (in the user-info part or a `password=` parameter) replaced by `***`.
    public var redacted: String { Self.redact(url) }
    public var description: String { redacted }

    /// `text` with every password in a PostgreSQL URL or `key=value` connection string replaced by `***`.
    public static func redact(_ text: String) -> String {
        var out = text
        // user:password@ in the authority of a URL.
        if let scheme = out.range(of: "://") {
            let rest = out[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                out.replaceSubrange(out.index(after: colon)..<at, with: "***")
            }
        }
        // password=… as a URL parameter or a key=value pair.
        var searchFrom = out.startIndex
        while let r = out.range(of: "password=", options: .caseInsensitive, range: searchFrom..<out.endIndex) {
            let end = out[r.upperBound...].firstIndex(where: { $0 == "&" || $0 == " " }) ?? out.endIndex
            out.replaceSubrange(r.upperBound..<end, with: "***")
            searchFrom = out.index(r.upperBound, offsetBy: 3, limitedBy: out.endIndex) ?? out.endIndex
        }
        return out
    }
}
