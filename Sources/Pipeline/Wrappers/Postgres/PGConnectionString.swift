import CLibPQ
import Foundation

/// libpq's own reading of a connection string (`PQconninfoParse`), without connecting.
enum PGConnectionString {
    /// The keywords the string sets (e.g. `host`, `port`, `user`, `dbname`, `password`, `sslmode`).
    /// - Throws: `PGError` with libpq's reason when the string is malformed (an unknown parameter, a bad port…).
    static func parse(_ conninfo: String) throws -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
            PQfreemem(errorMessage)
            throw PGError(message: reason.trimmingCharacters(in: .whitespacesAndNewlines), connectionLost: false)
        }
        defer { PQconninfoFree(options) }
        var out: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { out[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return out
    }
}
