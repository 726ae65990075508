extension S3Client {
    /// ListObjectsV2: one page of the keys under `prefix`, in UTF-8 binary order.
    /// - Parameters:
    ///   - delimiter: rolls keys up to ``ListPage/commonPrefixes`` at this character (e.g. `/`). Default none.
    ///   - startAfter: only keys after this one (first page only).
    ///   - continuationToken: ``ListPage/nextContinuationToken`` of the previous page.
    ///   - maxKeys: at most this many entries (1...1000; services cap it at 1000). Default 1000.
    /// - Throws: ``S3Error`` (`.noSuchBucket`, `.invalidCredentials`, `.accessDenied`, ...).
    public func listObjects(prefix: String = "", delimiter: String? = nil, startAfter: String? = nil,
                            continuationToken: String? = nil, maxKeys: Int = 1000) throws -> ListPage {
        var query: [(String, String)] = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let call = S3Call(operation: "ListObjectsV2", method: .get, key: nil, query: query)
        let result = try execute(call)
        guard result.response.isSuccess else { throw error(for: result.response, call, attempts: result.attempts) }
        guard let page = S3Responses.listPage(result.response.body) else {
            throw invalidResponse(call, "ListObjectsV2 response is not a ListBucketResult")
        }
        if page.isTruncated, page.nextContinuationToken == nil {
            throw invalidResponse(call, "ListObjectsV2 response is truncated but has no NextContinuationToken")
        }
        return page
    }

    /// Every object under `prefix`, following continuation tokens page by page (memory grows with the number of
    /// keys, not with object sizes).
    /// - Parameter pageSize: keys per request (1...1000). Default 1000.
    /// - Throws: ``S3Error``.
    public func listAllObjects(prefix: String = "", pageSize: Int = 1000) throws -> [ObjectInfo] {
        var objects: [ObjectInfo] = []
        var token: String?
        repeat {
            let page = try listObjects(prefix: prefix, continuationToken: token, maxKeys: pageSize)
            objects += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return objects
    }

    /// DeleteObjects: removes `keys` in batches of 1,000 (S3's limit), each request with `Content-MD5` as the
    /// API requires. Missing keys count as deleted.
    /// - Returns: the keys the service could not delete, with its code and message; empty when all went.
    /// - Throws: ``S3Error`` when a batch request itself fails.
    @discardableResult
    public func deleteObjects(keys: [String]) throws -> [DeleteFailure] {
        var failures: [DeleteFailure] = []
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + 1000, keys.count)]
            let call = S3Call(operation: "DeleteObjects", method: .post, key: nil, query: [("delete", "")],
                              body: .bytes(S3RequestBodies.delete(keys: batch)), contentType: "application/xml")
            let result = try execute(call)
            guard result.response.isSuccess else { throw error(for: result.response, call, attempts: result.attempts) }
            guard let batchFailures = S3Responses.deleteFailures(result.response.body) else {
                throw invalidResponse(call, "DeleteObjects response is not a DeleteResult")
            }
            failures += batchFailures
            start += batch.count
        }
        return failures
    }

    /// HeadBucket: checks that the bucket exists and the credentials may use it.
    /// - Throws: ``S3Error`` of kind `.noSuchBucket`, `.accessDenied` (a HEAD cannot tell a bad key from a
    ///   missing permission; ``checkAccess(probeKey:)`` can), `.unreachable`, `.timeout` or `.tls`.
    public func headBucket() throws {
        let call = S3Call(operation: "HeadBucket", method: .head, key: nil)
        let result = try execute(call)
        guard result.response.isSuccess else { throw error(for: result.response, call, attempts: result.attempts) }
    }

    /// The startup check: lists one key (which tells wrong credentials from a missing bucket, unlike a HEAD),
    /// then writes `probeKey` create-only and deletes it, proving the bucket is writable.
    /// - Throws: ``S3Error`` naming the endpoint and bucket: `.invalidCredentials`, `.accessDenied`,
    ///   `.noSuchBucket`, `.unreachable`, `.timeout`, `.tls`.
    public func checkAccess(probeKey: String) throws {
        _ = try listObjects(maxKeys: 1)
        _ = try putObject(key: probeKey, body: .bytes(Array("weir access probe\n".utf8)), createOnly: false)
        try deleteObject(key: probeKey)
    }
}
