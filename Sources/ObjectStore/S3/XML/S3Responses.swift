import Foundation

/// The `<Error>` document of a failed request.
struct S3ErrorBody {
    var code: String
    var message: String
    var requestId: String?

    /// nil when `bytes` is not an `<Error>` document (HEAD responses have no body at all).
    init?(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, let root = S3XMLElement.parse(bytes), root.name == "Error",
              let code = root.value("Code") else { return nil }
        self.code = code
        message = root.value("Message") ?? ""
        requestId = root.value("RequestId")
    }
}

/// Decoders of the success documents (S3 API reference, "Response Syntax" of each action).
enum S3Responses {
    /// ListObjectsV2's `<ListBucketResult>`.
    static func listPage(_ bytes: [UInt8]) -> ListPage? {
        guard let root = S3XMLElement.parse(bytes), root.name == "ListBucketResult" else { return nil }
        var objects: [ObjectInfo] = []
        for entry in root.all("Contents") {
            guard let key = entry.value("Key") else { return nil }
            objects.append(ObjectInfo(key: key, size: UInt64(entry.value("Size") ?? "") ?? 0,
                                      etag: unquote(entry.value("ETag") ?? ""),
                                      lastModified: entry.value("LastModified").flatMap(parseISO8601)))
        }
        let prefixes = root.all("CommonPrefixes").compactMap { $0.value("Prefix") }
        let truncated = root.value("IsTruncated") == "true"
        let token = root.value("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        return ListPage(objects: objects, commonPrefixes: prefixes, nextContinuationToken: truncated ? token : nil,
                        isTruncated: truncated)
    }

    /// CreateMultipartUpload's upload id.
    static func uploadId(_ bytes: [UInt8]) -> String? {
        guard let root = S3XMLElement.parse(bytes), root.name == "InitiateMultipartUploadResult",
              let id = root.value("UploadId"), !id.isEmpty else { return nil }
        return id
    }

    /// The `<ETag>` of CopyObjectResult or CompleteMultipartUploadResult.
    static func etag(_ bytes: [UInt8], root name: String) -> String? {
        guard let root = S3XMLElement.parse(bytes), root.name == name, let etag = root.value("ETag") else { return nil }
        return unquote(etag)
    }

    /// DeleteObjects' per-key failures (quiet mode lists only those).
    static func deleteFailures(_ bytes: [UInt8]) -> [DeleteFailure]? {
        guard let root = S3XMLElement.parse(bytes), root.name == "DeleteResult" else { return nil }
        return root.all("Error").map {
            DeleteFailure(key: $0.value("Key") ?? "", code: $0.value("Code") ?? "", message: $0.value("Message") ?? "")
        }
    }

    static func unquote(_ etag: String) -> String {
        etag.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
    }

    static func parseISO8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// An HTTP date (`Last-Modified`), RFC 7231 IMF-fixdate.
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}

/// The request documents (DeleteObjects, CompleteMultipartUpload).
enum S3RequestBodies {
    static func delete(keys: some Sequence<String>) -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for key in keys { xml += "<Object><Key>\(xmlEscape(key))</Key></Object>" }
        xml += "<Quiet>true</Quiet></Delete>"
        return Array(xml.utf8)
    }

    static func completeMultipart(parts: [(number: Int, etag: String)]) -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\"\(xmlEscape(part.etag))\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        return Array(xml.utf8)
    }
}
