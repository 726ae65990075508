/// Builds request URLs whose path and query are already in SigV4 canonical form, because libcurl 7.88 signs the
/// URL as given: it neither sorts the query nor adds `=` to value-less parameters.
struct S3URL {
    let endpoint: String
    let bucket: String
    let pathStyle: Bool

    /// The URL of `key` (or of the bucket when `key` is nil) with `query` parameters.
    func url(key: String?, query: [(String, String)] = []) -> String {
        var base: String
        if pathStyle {
            base = endpoint + "/" + S3URL.encode(bucket, keepSlash: false)
        } else {
            let schemeEnd = endpoint.range(of: "://")!.upperBound
            base = String(endpoint[..<schemeEnd]) + bucket + "." + String(endpoint[schemeEnd...])
        }
        base += "/" + (key.map { S3URL.encode($0, keepSlash: true) } ?? "")
        let canonical = S3URL.canonicalQuery(query)
        return canonical.isEmpty ? base : base + "?" + canonical
    }

    /// SigV4's canonical query string: each name and value URI-encoded, sorted by name then value, always `name=value`.
    static func canonicalQuery(_ parameters: [(String, String)]) -> String {
        parameters
            .map { (encode($0.0, keepSlash: false), encode($0.1, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// SigV4 URI encoding: every byte except `A-Z a-z 0-9 - _ . ~` (and `/` when `keepSlash`) becomes `%XX` with
    /// upper-case hex digits.
    static func encode(_ text: String, keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            let unreserved = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x7E
            if unreserved || (keepSlash && byte == 0x2F) {
                out.append(byte)
            } else {
                out.append(0x25)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
