import Foundation
import ObjectStore

/// An object being written to S3 by `S3Storage.create`, streamed as it is produced.
///
/// Bytes collect in a buffer of one part (`partSize`). An object that fits in it is sent with one create-only
/// PutObject at `finish`. A larger one becomes a multipart upload: each full part is sent in the background while
/// the caller fills the next buffer (upload overlaps writing), at most one part in flight, so memory stays within
/// two parts and no byte is held twice. The completion is create-only (`If-None-Match: *`); on any failure, or
/// when the writer is dropped unfinished, the upload is aborted.
final class S3ObjectWriter: StorageWriter, @unchecked Sendable {
    private let client: S3Client
    private let key: String
    private let uri: String
    private let partSize: Int
    private let refused: @Sendable (String) -> Void
    private var buffer: [UInt8] = []
    private(set) var position: Int64 = 0
    private var uploadId: String?
    private var partMD5s: [[UInt8]] = []
    private var parts: [(number: Int, etag: String)] = []
    private let inFlight = DispatchGroup()
    private var inFlightResult: Result<String, Error>?
    private let resultLock = NSLock()
    private var done = false

    init(client: S3Client, key: String, uri: String, partSize: Int, refused: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.key = key
        self.uri = uri
        self.partSize = partSize
        self.refused = refused
    }

    deinit {
        guard !done, let uploadId else { return }
        inFlight.wait()
        try? client.abortMultipartUpload(key: key, uploadId: uploadId)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if buffer.count == partSize { try ship() }
            if buffer.capacity < partSize { buffer.reserveCapacity(min(partSize, max(bytes.count - offset, 1 << 16))) }
            let n = min(partSize - buffer.count, bytes.count - offset)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            offset += n
        }
        position += Int64(bytes.count)
    }

    /// Completes the object: one PutObject, or the last part and the completion. Durable when it returns.
    /// - Throws: `StorageError.exists` when the key is taken (counted as a refused write), or `.io`.
    func finish(durable: Bool) throws {
        guard !done else { return }
        done = true
        do {
            let outcome: PutOutcome
            if let uploadId {
                try ship()
                try waitForPart()
                outcome = try client.completeMultipartUpload(
                    key: key, uploadId: uploadId, parts: parts, createOnly: true,
                    expectedETag: ContentDigest.multipartETag(partMD5s: partMD5s))
                if !outcome.isCreated { try? client.abortMultipartUpload(key: key, uploadId: uploadId) }
            } else {
                let body = buffer
                buffer = []
                outcome = try client.putObject(key: key, body: .bytes(body), createOnly: true)
            }
            if case .alreadyExists = outcome {
                refused(uri)
                throw StorageError(.exists, "cannot create \(uri): it exists already (create-only write refused)")
            }
        } catch let error as S3Error {
            if let uploadId {
                inFlight.wait()
                try? client.abortMultipartUpload(key: key, uploadId: uploadId)
            }
            throw StorageError(s3: error)
        } catch {
            if let uploadId {
                inFlight.wait()
                try? client.abortMultipartUpload(key: key, uploadId: uploadId)
            }
            throw error
        }
    }

    /// Sends the buffer as the next part, after the previous part has gone.
    private func ship() throws {
        do {
            if uploadId == nil { uploadId = try client.createMultipartUpload(key: key) }
            try waitForPart()
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
        let body = buffer
        buffer = []
        let md5 = ContentDigest.md5(body)
        partMD5s.append(md5)
        let number = partMD5s.count
        let (client, key, uploadId) = (client, key, uploadId!)
        inFlight.enter()
        DispatchQueue.global().async { [self] in
            let result = Result { try client.uploadPart(key: key, uploadId: uploadId, partNumber: number, body: .bytes(body), md5: md5) }
            resultLock.withLock { inFlightResult = result.map { $0 } }
            if case .success(let etag) = result { resultLock.withLock { parts.append((number, etag)) } }
            inFlight.leave()
        }
    }

    /// Waits for the part in flight and rethrows its failure.
    private func waitForPart() throws {
        inFlight.wait()
        let result = resultLock.withLock { () -> Result<String, Error>? in
            defer { inFlightResult = nil }
            return inFlightResult
        }
        if case .failure(let error) = result {
            if let error = error as? S3Error { throw StorageError(s3: error) }
            throw error
        }
    }
}

extension StorageError {
    /// An S3 client error as a storage error: a missing object is `.notFound`, anything else `.io`.
    init(s3 error: S3Error) {
        let text = "\(error)"
        let message = text.hasPrefix("weir: ") ? String(text.dropFirst("weir: ".count)) : text
        self.init(error.kind == .noSuchKey ? .notFound : .io, message)
    }
}
