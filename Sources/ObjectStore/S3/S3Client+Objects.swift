import Foundation

extension S3Client {
    /// PutObject: stores `body` at `key` with `Content-MD5`, so the service rejects corrupted bytes.
    ///
    /// With `createOnly` (the default) the request carries `If-None-Match: *` and never replaces an existing
    /// object: the service answers 412 and this returns ``PutOutcome/alreadyExists(existing:sameContent:)``. If
    /// an earlier attempt was applied but its response lost, the retry's 412 is recognised by comparing the
    /// existing ETag with this body's MD5, and the result is ``PutOutcome/created(etag:)``.
    ///
    /// - Parameters:
    ///   - body: in-memory bytes or a file range (streamed, read twice: once for the MD5, once to send).
    ///     Single PUTs are limited to 5 GiB by S3; use ``uploadFile(key:path:createOnly:contentType:)`` for files.
    ///   - contentType: default `application/octet-stream`.
    /// - Throws: ``S3Error``.
    public func putObject(key: String, body: UploadBody, createOnly: Bool = true,
                          contentType: String? = nil) throws -> PutOutcome {
        let md5: [UInt8]
        switch body {
        case .bytes(let bytes): md5 = Digest.md5(bytes)
        case .file(let range):
            do { md5 = try FileDigest.md5(of: range) } catch let error as S3Error {
                throw contextualize(error, S3Call(operation: "PutObject", method: .put, key: key))
            }
        }
        var call = S3Call(operation: "PutObject", method: .put, key: key, body: body, contentMD5: md5,
                          contentType: contentType)
        if createOnly { call.headers.append(("If-None-Match", "*")) }
        let result = try execute(call)
        if result.response.isSuccess {
            return .created(etag: S3Responses.unquote(result.response.headers["etag"] ?? md5.hexString))
        }
        if createOnly, result.response.status == 412 {
            return try reconcileCreateOnly(key: key, expectedETag: md5.hexString, result: result)
        }
        throw error(for: result.response, call, attempts: result.attempts)
    }

    /// Uploads a local file to `key`: one PutObject up to ``S3Configuration/multipartThreshold`` bytes, a
    /// multipart upload above it (see ``multipartUpload(key:path:createOnly:contentType:)``). The file is
    /// streamed; memory use does not grow with its size.
    /// - Throws: ``S3Error``.
    public func uploadFile(key: String, path: String, createOnly: Bool = true,
                           contentType: String? = nil) throws -> PutOutcome {
        let size: UInt64
        do { size = try FileRangeReader.size(ofFileAt: path) } catch let error as S3Error {
            throw contextualize(error, S3Call(operation: "PutObject", method: .put, key: key))
        }
        if size <= configuration.multipartThreshold {
            return try putObject(key: key, body: .file(.init(path: path, length: size)), createOnly: createOnly,
                                 contentType: contentType)
        }
        return try multipartUpload(key: key, path: path, createOnly: createOnly, contentType: contentType)
    }

    /// HeadObject: the object's size, ETag and modification time, or nil when there is no object at `key`.
    /// - Throws: ``S3Error`` (a missing bucket is `.noSuchBucket` only when the service says so in a header; a
    ///   HEAD has no error body).
    public func headObject(key: String) throws -> ObjectInfo? {
        let call = S3Call(operation: "HeadObject", method: .head, key: key)
        let result = try execute(call)
        if result.response.status == 404 { return nil }
        guard result.response.isSuccess else { throw error(for: result.response, call, attempts: result.attempts) }
        let headers = result.response.headers
        guard let etag = headers["etag"], let size = headers["content-length"].flatMap({ UInt64($0) }) else {
            throw invalidResponse(call, "HEAD response lacks ETag or Content-Length")
        }
        return ObjectInfo(key: key, size: size, etag: S3Responses.unquote(etag),
                          lastModified: headers["last-modified"].flatMap(S3Responses.parseHTTPDate))
    }

    /// GetObject into memory: the whole object, or the inclusive byte `range` of it.
    /// - Parameter maxBytes: the largest body accepted (a longer one fails with `.localFile`). Default 64 MiB.
    /// - Throws: ``S3Error`` of kind `.noSuchKey` when there is no object; `.rejected` with status 416 when the
    ///   range starts past the end.
    public func getObject(key: String, range: ByteRange? = nil, maxBytes: Int = 64 << 20) throws -> [UInt8] {
        var call = S3Call(operation: "GetObject", method: .get, key: key, sink: .memory(limit: maxBytes))
        if let range { call.headers.append(("Range", range.header)) }
        let result = try execute(call)
        guard result.response.isSuccess else { throw error(for: result.response, call, attempts: result.attempts) }
        let body = result.response.body
        if let range, result.response.status == 200 {
            // The service ignored Range and sent the whole object: cut the range out of it.
            let start = Int(min(range.first, UInt64(body.count)))
            let end = Int(min(range.last + 1, UInt64(body.count)))
            return Array(body[start..<end])
        }
        return body
    }

    /// GetObject into a local file (created or truncated), streamed: memory use does not grow with the size.
    /// - Returns: the object's size and ETag as the response declared them.
    /// - Throws: ``S3Error`` of kind `.noSuchKey` when there is no object, `.localFile` when the file cannot be
    ///   written, `.invalidResponse` when fewer bytes arrived than declared.
    public func download(key: String, toFile path: String) throws -> ObjectInfo {
        let call = S3Call(operation: "GetObject", method: .get, key: key, sink: .file(path: path))
        let result = try execute(call)
        guard result.response.isSuccess else { throw error(for: result.response, call, attempts: result.attempts) }
        let written = try FileRangeReader.size(ofFileAt: path)
        if let declared = result.response.headers["content-length"].flatMap({ UInt64($0) }), declared != written {
            throw invalidResponse(call, "received \(written) of \(declared) bytes")
        }
        return ObjectInfo(key: key, size: written, etag: S3Responses.unquote(result.response.headers["etag"] ?? ""),
                          lastModified: result.response.headers["last-modified"].flatMap(S3Responses.parseHTTPDate))
    }

    /// CopyObject: a server-side copy of `sourceKey` (in this bucket) to `key`; no byte passes through this host.
    /// With `createOnly` the copy carries `If-None-Match: *` (AWS and SeaweedFS honour it; see docs/S3.md) and
    /// a 412 is reconciled like ``putObject(key:body:createOnly:contentType:)``'s, against the source's ETag.
    /// Limited to sources of 5 GiB (S3's CopyObject limit).
    /// - Throws: ``S3Error`` (`.noSuchKey` when the source does not exist).
    public func copyObject(from sourceKey: String, to key: String, createOnly: Bool = true) throws -> PutOutcome {
        var call = S3Call(operation: "CopyObject", method: .put, key: key, errorMayHide200: true)
        call.headers.append(("x-amz-copy-source", "/" + configuration.bucket + "/" + S3URL.encode(sourceKey, keepSlash: true)))
        if createOnly { call.headers.append(("If-None-Match", "*")) }
        let result = try execute(call)
        if result.response.isSuccess {
            guard let etag = S3Responses.etag(result.response.body, root: "CopyObjectResult") else {
                throw invalidResponse(call, "CopyObject response has no CopyObjectResult/ETag")
            }
            return .created(etag: etag)
        }
        if createOnly, result.response.status == 412 {
            guard let source = try headObject(key: sourceKey) else {
                throw S3Error(kind: .noSuchKey, operation: "CopyObject", endpoint: configuration.resolvedEndpoint,
                              bucket: configuration.bucket, key: sourceKey, message: "the copy source vanished")
            }
            return try reconcileCreateOnly(key: key, expectedETag: source.etag, result: result)
        }
        throw error(for: result.response, call, attempts: result.attempts)
    }

    /// DeleteObject: removes `key`; deleting a missing key succeeds (S3 semantics).
    /// - Throws: ``S3Error``.
    public func deleteObject(key: String) throws {
        let call = S3Call(operation: "DeleteObject", method: .delete, key: key)
        let result = try execute(call)
        guard result.response.isSuccess || result.response.status == 404 && call.key != nil
                && S3ErrorBody(result.response.body)?.code != "NoSuchBucket" else {
            throw error(for: result.response, call, attempts: result.attempts)
        }
    }

    func reconcileCreateOnly(key: String, expectedETag: String, result: S3CallResult) throws -> PutOutcome {
        let existing = try headObject(key: key)
        return CreateOnlyReconciliation.outcome(expectedETag: expectedETag, existing: existing,
                                                earlierAttemptMayHaveApplied: result.earlierAttemptMayHaveApplied)
    }
}
