extension S3Client {
    /// Uploads a local file in parts of ``S3Configuration/partSize`` bytes (more when the file would need over
    /// 10,000 parts), one part at a time, each with its `Content-MD5`; the file is streamed, never held in memory.
    ///
    /// CompleteMultipartUpload carries `If-None-Match: *` when `createOnly`. On any failure, and on a 412, the
    /// upload is aborted so no parts are left behind. A completion whose response was lost is recognised on retry
    /// (412 or NoSuchUpload) by comparing the object's ETag with the multipart ETag of the parts' MD5s.
    /// - Throws: ``S3Error``; the upload has been aborted (best effort) when it is thrown.
    public func multipartUpload(key: String, path: String, createOnly: Bool = true,
                                contentType: String? = nil) throws -> PutOutcome {
        let call = S3Call(operation: "CreateMultipartUpload", method: .post, key: key)
        let size: UInt64
        do { size = try FileRangeReader.size(ofFileAt: path) } catch let error as S3Error {
            throw contextualize(error, call)
        }
        let partSize = S3Client.partSize(forFileOf: size, preferred: configuration.partSize)
        let uploadId = try createMultipartUpload(key: key, contentType: contentType)
        do {
            var parts: [(number: Int, etag: String)] = []
            var digest = Digest(.md5)
            var offset: UInt64 = 0
            var number = 1
            repeat {
                let range = UploadBody.FileRange(path: path, offset: offset, length: min(partSize, size - offset))
                let md5: [UInt8]
                do { md5 = try FileDigest.md5(of: range) } catch let error as S3Error {
                    throw contextualize(error, call)
                }
                digest.update(md5)
                let etag = try uploadPart(key: key, uploadId: uploadId, partNumber: number, body: .file(range), md5: md5)
                parts.append((number, etag))
                offset += range.length
                number += 1
            } while offset < size
            let expected = digest.finish().hexString + "-\(parts.count)"
            let outcome = try completeMultipartUpload(key: key, uploadId: uploadId, parts: parts, createOnly: createOnly,
                                                      expectedETag: expected)
            if !outcome.isCreated { try? abortMultipartUpload(key: key, uploadId: uploadId) }
            return outcome
        } catch {
            try? abortMultipartUpload(key: key, uploadId: uploadId)
            throw error
        }
    }

    /// The part size for a file of `size` bytes: `preferred`, grown to a multiple of 1 MiB when the file would
    /// otherwise need more than 10,000 parts (S3's limit).
    static func partSize(forFileOf size: UInt64, preferred: UInt64) -> UInt64 {
        let maxParts: UInt64 = 10_000
        guard size > preferred * maxParts else { return preferred }
        let mebibyte: UInt64 = 1 << 20
        let needed = (size + maxParts - 1) / maxParts
        return (needed + mebibyte - 1) / mebibyte * mebibyte
    }

    /// CreateMultipartUpload: starts an upload and returns its id.
    /// A retry after a lost response leaves the first upload orphaned (its id was never seen); a bucket lifecycle
    /// rule `AbortIncompleteMultipartUpload` removes such uploads.
    /// - Throws: ``S3Error``.
    public func createMultipartUpload(key: String, contentType: String? = nil) throws -> String {
        let call = S3Call(operation: "CreateMultipartUpload", method: .post, key: key, query: [("uploads", "")],
                          contentType: contentType)
        let result = try execute(call)
        guard result.response.isSuccess else { throw error(for: result.response, call, attempts: result.attempts) }
        guard let id = S3Responses.uploadId(result.response.body) else {
            throw invalidResponse(call, "CreateMultipartUpload response has no UploadId")
        }
        return id
    }

    /// UploadPart: sends part `partNumber` (1...10,000) and returns its ETag. Repeating a part replaces it.
    /// - Parameter md5: the part's MD5, when the caller has it (computed otherwise).
    /// - Throws: ``S3Error``.
    public func uploadPart(key: String, uploadId: String, partNumber: Int, body: UploadBody,
                           md5: [UInt8]? = nil) throws -> String {
        var call = S3Call(operation: "UploadPart", method: .put, key: key,
                          query: [("partNumber", String(partNumber)), ("uploadId", uploadId)], body: body, contentMD5: md5)
        if call.contentMD5 == nil, case .file(let range) = body {
            do { call.contentMD5 = try FileDigest.md5(of: range) } catch let error as S3Error {
                throw contextualize(error, call)
            }
        }
        let result = try execute(call)
        guard result.response.isSuccess else { throw error(for: result.response, call, attempts: result.attempts) }
        guard let etag = result.response.headers["etag"] else { throw invalidResponse(call, "UploadPart response has no ETag") }
        return S3Responses.unquote(etag)
    }

    /// CompleteMultipartUpload: assembles the parts (in `parts` order, ascending numbers) into the object.
    /// - Parameter expectedETag: the multipart ETag the parts produce, used to recognise a completion whose
    ///   response was lost; nil skips that check (a retry's NoSuchUpload is then an error).
    /// - Throws: ``S3Error``.
    public func completeMultipartUpload(key: String, uploadId: String, parts: [(number: Int, etag: String)],
                                        createOnly: Bool = true, expectedETag: String? = nil) throws -> PutOutcome {
        var call = S3Call(operation: "CompleteMultipartUpload", method: .post, key: key, query: [("uploadId", uploadId)],
                          body: .bytes(S3RequestBodies.completeMultipart(parts: parts)), contentType: "application/xml",
                          errorMayHide200: true)
        if createOnly { call.headers.append(("If-None-Match", "*")) }
        let result = try execute(call)
        if result.response.isSuccess {
            guard let etag = S3Responses.etag(result.response.body, root: "CompleteMultipartUploadResult") else {
                throw invalidResponse(call, "CompleteMultipartUpload response has no ETag")
            }
            return .created(etag: etag)
        }
        let code = S3ErrorBody(result.response.body)?.code
        if let expectedETag, result.earlierAttemptMayHaveApplied, code == "NoSuchUpload" || result.response.status == 412 {
            // The upload is gone or the key exists: an earlier attempt may have completed it.
            let outcome = try reconcileCreateOnly(key: key, expectedETag: expectedETag, result: result)
            if outcome.isCreated || (createOnly && result.response.status == 412) { return outcome }
        } else if createOnly, result.response.status == 412 {
            return try reconcileCreateOnly(key: key, expectedETag: expectedETag ?? "", result: result)
        }
        throw error(for: result.response, call, attempts: result.attempts)
    }

    /// AbortMultipartUpload: discards the upload and its parts. Aborting an upload that is already gone succeeds.
    /// - Throws: ``S3Error``.
    public func abortMultipartUpload(key: String, uploadId: String) throws {
        let call = S3Call(operation: "AbortMultipartUpload", method: .delete, key: key, query: [("uploadId", uploadId)])
        let result = try execute(call)
        if result.response.isSuccess || S3ErrorBody(result.response.body)?.code == "NoSuchUpload" { return }
        throw error(for: result.response, call, attempts: result.attempts)
    }
}

extension S3Client {
    /// One multipart upload in progress (ListMultipartUploads).
    public struct MultipartUploadInfo: Sendable, Equatable {
        public var key: String
        public var uploadId: String
    }

    /// ListMultipartUploads: the uploads in progress under `prefix` (first 1,000), for finding those a dead
    /// writer left behind and aborting them.
    /// - Throws: ``S3Error``.
    public func listMultipartUploads(prefix: String = "") throws -> [MultipartUploadInfo] {
        let call = S3Call(operation: "ListMultipartUploads", method: .get, key: nil,
                          query: [("uploads", ""), ("prefix", prefix)])
        let result = try execute(call)
        guard result.response.isSuccess else { throw error(for: result.response, call, attempts: result.attempts) }
        guard let root = S3XMLElement.parse(result.response.body), root.name == "ListMultipartUploadsResult" else {
            throw invalidResponse(call, "ListMultipartUploads response is not a ListMultipartUploadsResult")
        }
        return root.all("Upload").compactMap { upload in
            guard let key = upload.value("Key"), let id = upload.value("UploadId") else { return nil }
            return MultipartUploadInfo(key: key, uploadId: id)
        }
    }
}
