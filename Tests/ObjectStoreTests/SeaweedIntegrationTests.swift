import Foundation
import ObjectStoreTestSupport
import Testing
import WeirTestSupport
@testable import ObjectStore

/// Every operation against a real S3 service: SeaweedFS (`weed mini`) on loopback, one server per test, with an
/// identity configured so that signatures are checked. ``SeaweedServer/start(bucket:)`` has already proved that
/// the server enforces create-only PUT under concurrency.
@Suite struct SeaweedIntegrationTests {
    @Test func createOnlyPutHeadRangedGetCopyDownloadAndDelete() throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let client = try server.client()
        let key = "date=2026-12-06/part 0+é.parquet"
        let bytes = Array("0123456789abcdef".utf8)

        #expect(try client.putObject(key: key, body: .bytes(bytes)) == .created(etag: Digest.md5(bytes).hexString))
        let info = try #require(try client.headObject(key: key))
        #expect(info.size == 16 && info.etag == Digest.md5(bytes).hexString && info.lastModified != nil)
        // A second create-only write never replaces the object, whatever its bytes.
        let other = try client.putObject(key: key, body: .bytes(Array("zombie".utf8)))
        #expect(other == .alreadyExists(existing: info, sameContent: false))
        #expect(try client.putObject(key: key, body: .bytes(bytes)) == .alreadyExists(existing: info, sameContent: true))
        #expect(try client.getObject(key: key) == bytes)

        #expect(try client.getObject(key: key, range: ByteRange(first: 3, last: 6)) == Array("3456".utf8))
        #expect(try client.getObject(key: key, range: ByteRange(offset: 10, count: 100)) == Array("abcdef".utf8))
        let pastEnd = #expect(throws: S3Error.self) { try client.getObject(key: key, range: ByteRange(offset: 100, count: 1)) }
        #expect(pastEnd?.status == 416)

        #expect(try client.copyObject(from: key, to: "copy/a") == .created(etag: info.etag))
        let copyAgain = try client.copyObject(from: key, to: "copy/a")
        #expect(copyAgain == .alreadyExists(existing: try client.headObject(key: "copy/a"), sameContent: true))
        _ = try client.putObject(key: "copy/b", body: .bytes(Array("older".utf8)))
        guard case .alreadyExists(_, false) = try client.copyObject(from: key, to: "copy/b") else {
            Issue.record("a create-only copy replaced an existing object"); return
        }
        #expect(try client.copyObject(from: key, to: "copy/b", createOnly: false).isCreated)
        #expect(try client.getObject(key: "copy/b") == bytes)
        let missingSource = #expect(throws: S3Error.self) { try client.copyObject(from: "nope", to: "copy/c") }
        #expect(missingSource?.kind == .noSuchKey)

        let dir = try TemporaryDirectory()
        let downloaded = try client.download(key: key, toFile: dir.path("out"))
        #expect(downloaded.size == 16)
        #expect(FileManager.default.contents(atPath: dir.path("out")) == Data(bytes))

        try client.deleteObject(key: key)
        try client.deleteObject(key: key)  // deleting a missing key succeeds
        #expect(try client.headObject(key: key) == nil)
        let missing = #expect(throws: S3Error.self) { try client.getObject(key: key) }
        #expect(missing?.kind == .noSuchKey)
        #expect(missing?.description.contains("s3://\(server.bucket)/\(key)") == true)
    }

    @Test func listingPaginatesAndBatchDeleteRemovesEveryKey() throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let client = try server.client()
        let keys = (0..<1_100).map { String(format: "events/date=2026-12-%02d/f-%05d.parquet", $0 % 3 + 1, $0) }
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { slice in
            for key in keys[(slice * 275)..<((slice + 1) * 275)] {
                do { _ = try client.putObject(key: key, body: .bytes(Array(key.utf8))) } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        _ = try client.putObject(key: "other/x", body: .bytes([1]))

        let all = try client.listAllObjects(prefix: "events/")
        #expect(all.map(\.key) == keys.sorted())
        #expect(all.allSatisfy { $0.size == UInt64($0.key.utf8.count) })

        // Small pages: 400 keys under one date in pages of 150.
        let prefix = "events/date=2026-12-01/"
        var pages: [Int] = []
        var seen: [String] = []
        var token: String?
        repeat {
            let page = try client.listObjects(prefix: prefix, continuationToken: token, maxKeys: 150)
            pages.append(page.objects.count)
            seen += page.objects.map(\.key)
            token = page.nextContinuationToken
        } while token != nil
        let expected = keys.filter { $0.hasPrefix(prefix) }.sorted()
        #expect(seen == expected)
        #expect(pages == [150, 150, expected.count - 300])

        let rolled = try client.listObjects(prefix: "events/", delimiter: "/")
        #expect(rolled.commonPrefixes == ["events/date=2026-12-01/", "events/date=2026-12-02/", "events/date=2026-12-03/"])
        #expect(rolled.objects.isEmpty)

        #expect(try client.deleteObjects(keys: keys + ["never/existed"]).isEmpty)
        #expect(try client.listAllObjects(prefix: "events/").isEmpty)
        #expect(try client.listAllObjects().map(\.key) == ["other/x"])
    }

    @Test func multipartUploadOf20MiBAndAbortOnFailure() throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let client = try server.client { $0.multipartThreshold = 8 << 20; $0.partSize = 8 << 20 }
        let dir = try TemporaryDirectory()
        let size = 20 << 20
        var generator = SplitMix64(seed: 18)
        var content = [UInt8](repeating: 0, count: size)
        for index in stride(from: 0, to: size, by: 8) {
            withUnsafeBytes(of: generator.next()) { content.replaceSubrange(index..<(index + 8), with: $0) }
        }
        _ = FileManager.default.createFile(atPath: dir.path("big.parquet"), contents: Data(content))
        let partMD5s = stride(from: 0, to: size, by: 8 << 20).map { Digest.md5(Array(content[$0..<min($0 + (8 << 20), size)])) }
        let expectedETag = Digest.md5(partMD5s.flatMap { $0 }).hexString + "-3"

        #expect(try client.uploadFile(key: "big.parquet", path: dir.path("big.parquet")) == .created(etag: expectedETag))
        let info = try #require(try client.headObject(key: "big.parquet"))
        #expect(info.size == UInt64(size) && info.etag == expectedETag)
        _ = try client.download(key: "big.parquet", toFile: dir.path("back"))
        #expect(FileManager.default.contents(atPath: dir.path("back")) == Data(content))
        #expect(try client.getObject(key: "big.parquet", range: ByteRange(offset: 9 << 20, count: 16))
            == Array(content[(9 << 20)..<((9 << 20) + 16)]))

        // Create-only completion on an existing key fails with 412, and the upload is aborted (no parts left).
        let again = try client.uploadFile(key: "big.parquet", path: dir.path("big.parquet"))
        #expect(again == .alreadyExists(existing: info, sameContent: true))
        #expect(try client.listMultipartUploads(prefix: "big").isEmpty)

        // An explicit abort: the upload disappears, and using it afterwards is a typed error.
        let id = try client.createMultipartUpload(key: "aborted.parquet")
        _ = try client.uploadPart(key: "aborted.parquet", uploadId: id, partNumber: 1,
                                  body: .file(.init(path: dir.path("big.parquet"), length: 8 << 20)))
        #expect(try client.listMultipartUploads(prefix: "aborted").map(\.uploadId) == [id])
        try client.abortMultipartUpload(key: "aborted.parquet", uploadId: id)
        try client.abortMultipartUpload(key: "aborted.parquet", uploadId: id)  // aborting twice succeeds
        #expect(try client.listMultipartUploads(prefix: "aborted").isEmpty)
        let completed = #expect(throws: S3Error.self) {
            try client.completeMultipartUpload(key: "aborted.parquet", uploadId: id, parts: [(1, partMD5s[0].hexString)])
        }
        #expect(completed?.kind == .noSuchUpload)
        #expect(try client.headObject(key: "aborted.parquet") == nil)
    }

    /// The first connection's response is lost after the service applied the create-only PUT; the retry gets
    /// 412, and the client recognises its own bytes by the ETag.
    @Test func aCreateOnlyPutWhoseResponseWasLostIsRecognisedOnRetry() throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let proxy = try LossyProxy(upstreamPort: server.ports["s3.port"]!)
        defer { proxy.stop() }
        let client = try server.client { $0.endpoint = "http://127.0.0.1:\(proxy.port)" }
        let bytes = Array("committed exactly once".utf8)
        let outcome = try client.putObject(key: "lost/response", body: .bytes(bytes))
        #expect(outcome == .created(etag: Digest.md5(bytes).hexString))
        #expect(try client.getObject(key: "lost/response") == bytes)
        // Another writer's bytes are still refused.
        guard case .alreadyExists(_, false) = try client.putObject(key: "lost/response", body: .bytes([1])) else {
            Issue.record("a different body was not refused"); return
        }
    }

    @Test func wrongCredentialsMissingBucketAndUnreachableEndpointAreTypedErrors() throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        try server.client().checkAccess(probeKey: "_weir_probe/startup")

        let wrongSecret = "Wrong/Secret+Value=Never-Printed"
        let badSecret = try server.client(credentials: AWSCredentials(accessKeyId: server.credentials.accessKeyId,
                                                                      secretAccessKey: wrongSecret))
        let rejected = #expect(throws: S3Error.self) { try badSecret.checkAccess(probeKey: "_weir_probe/startup") }
        #expect(rejected?.kind == .invalidCredentials)
        #expect(rejected?.code == "SignatureDoesNotMatch")
        let unknownKey = try server.client(credentials: AWSCredentials(accessKeyId: "AKIDUNKNOWN", secretAccessKey: wrongSecret))
        let unknown = #expect(throws: S3Error.self) { try unknownKey.listObjects() }
        #expect(unknown?.kind == .invalidCredentials)
        let anonymous = try server.client(credentials: .some(nil))
        let denied = #expect(throws: S3Error.self) { try anonymous.listObjects() }
        #expect(denied?.kind == .accessDenied)
        for error in [rejected, unknown, denied].compactMap({ $0 }) {
            #expect(error.description.hasPrefix("weir: S3 "))
            #expect(error.description.contains(server.endpoint) && error.description.contains("s3://\(server.bucket)/"))
            #expect(!error.description.contains(wrongSecret) && !error.description.contains(server.credentials.secretAccessKey))
            #expect(!"\(error)".contains(wrongSecret) && !String(reflecting: error).contains(wrongSecret))
        }

        let noBucket = try server.client { $0.bucket = "no-such-bucket" }
        let missing = #expect(throws: S3Error.self) { try noBucket.checkAccess(probeKey: "_weir_probe/startup") }
        #expect(missing?.kind == .noSuchBucket)
        #expect(missing?.description.contains("s3://no-such-bucket/") == true)
        #expect(missing?.description.contains(server.endpoint) == true)
        let head = #expect(throws: S3Error.self) { try noBucket.headBucket() }
        #expect(head?.kind == .noSuchBucket)

        let port = try closedPort()
        let nowhere = try server.client(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10))) {
            $0.endpoint = "http://127.0.0.1:\(port)"
        }
        let unreachable = #expect(throws: S3Error.self) { try nowhere.checkAccess(probeKey: "_weir_probe/startup") }
        #expect(unreachable?.kind == .unreachable)
        #expect(unreachable?.description.contains("http://127.0.0.1:\(port)") == true)
        #expect(unreachable?.description.contains("s3://\(server.bucket)/") == true)
    }
}

extension SeaweedIntegrationTests {
    /// HTTPS with a self-signed certificate: trusted through `caFile`, refused (a typed TLS error) by the system
    /// store.
    @Test func tlsWithACAFileAndRefusalWithoutIt() throws {
        let dir = try TemporaryDirectory()
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.path("key.pem"),
                             "-out", dir.path("cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitForExit()
        try #require(openssl.terminationStatus == 0)
        let server = try SeaweedServer.start(tls: (dir.path("cert.pem"), dir.path("key.pem")))
        defer { server.stop() }
        let https = try #require(server.httpsEndpoint)

        let trusted = try server.client { $0.endpoint = https; $0.caFile = dir.path("cert.pem") }
        #expect(try trusted.putObject(key: "tls/object", body: .bytes([1, 2, 3])).isCreated)
        #expect(try trusted.getObject(key: "tls/object") == [1, 2, 3])

        let systemStore = try server.client { $0.endpoint = https }
        let refused = #expect(throws: S3Error.self) { try systemStore.listObjects() }
        #expect(refused?.kind == .tls)
        #expect(refused?.attempts == 1)
        #expect(refused?.description.contains(https) == true)
        #expect(refused?.description.contains("CA file") == true)
    }
}

/// `testdata/oracles/lossy_proxy.py` in front of a server.
final class LossyProxy {
    let process = Process()
    let port: Int

    init(upstreamPort: Int) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: PythonOracle.python)
        process.arguments = [PythonOracle.repoRoot.appendingPathComponent("testdata/oracles/lossy_proxy.py").path,
                             String(upstreamPort)]
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw OracleFailure("lossy_proxy.py did not print its port")
        }
        self.port = port
    }

    func stop() {
        // SIGKILL: a child of the test process may inherit a signal mask that blocks SIGTERM.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitForExit()
    }
}
