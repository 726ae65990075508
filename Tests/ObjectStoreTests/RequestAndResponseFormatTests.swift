import Foundation
import Testing
@testable import ObjectStore

@Suite struct RequestAndResponseFormatTests {
    @Test func keysAndQueriesAreEncodedAndOrderedTheSigV4Way() {
        #expect(S3URL.encode("date=2026-01-02/part 1+a~b_c.parquet", keepSlash: true)
            == "date%3D2026-01-02/part%201%2Ba~b_c.parquet")
        #expect(S3URL.encode("é/x", keepSlash: false) == "%C3%A9%2Fx")
        #expect(S3URL.canonicalQuery([("prefix", "a/b c"), ("list-type", "2"), ("max-keys", "7"), ("delete", "")])
            == "delete=&list-type=2&max-keys=7&prefix=a%2Fb%20c")
        let path = S3URL(endpoint: "http://127.0.0.1:8333", bucket: "lake", pathStyle: true)
        #expect(path.url(key: "a b/c", query: [("uploadId", "x/y"), ("partNumber", "3")])
            == "http://127.0.0.1:8333/lake/a%20b/c?partNumber=3&uploadId=x%2Fy")
        let virtual = S3URL(endpoint: "https://s3.eu-west-1.amazonaws.com", bucket: "lake", pathStyle: false)
        #expect(virtual.url(key: nil, query: [("list-type", "2")]) == "https://lake.s3.eu-west-1.amazonaws.com/?list-type=2")
    }

    @Test func configurationDefaultsAndValidation() throws {
        let aws = S3Configuration(bucket: "my-lake", region: "eu-west-1")
        #expect(aws.resolvedEndpoint == "https://s3.eu-west-1.amazonaws.com")
        #expect(!aws.usesPathStyle)
        #expect(S3Configuration(bucket: "my.lake").usesPathStyle)
        #expect(S3Configuration(bucket: "lake", endpoint: "http://127.0.0.1:8333/").usesPathStyle)
        #expect(S3Configuration(bucket: "lake", endpoint: "http://127.0.0.1:8333/").resolvedEndpoint == "http://127.0.0.1:8333")
        for (bad, fragment) in [
            (S3Configuration(bucket: "Lake"), "bucket name 'Lake'"),
            (S3Configuration(bucket: "lake", endpoint: "ftp://host"), "not an http"),
            (S3Configuration(bucket: "lake", endpoint: "http://host/lake"), "has a path"),
            (S3Configuration(bucket: "lake", partSize: 5 << 20), "part size"),
            (S3Configuration(bucket: "lake", caFile: "/nonexistent/ca.pem"), "/nonexistent/ca.pem"),
        ] {
            let error = #expect(throws: S3Error.self) { try bad.validate() }
            #expect(error?.kind == .configuration)
            #expect(error?.description.contains(fragment) == true, "\(error?.description ?? "")")
            #expect(error?.description.hasPrefix("weir:") == true)
        }
    }

    @Test func listPagesParseKeysEntitiesAndTokens() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>true</IsTruncated>\
            <Contents><Key>a &amp; b/x.parquet</Key><ETag>&#34;d41d8cd98f00b204e9800998ecf8427e&#34;</ETag><Size>12</Size>\
            <LastModified>2026-12-06T10:55:12.602Z</LastModified></Contents>\
            <Contents><Key>c</Key><ETag>"abc-2"</ETag><Size>0</Size><LastModified>2026-12-06T10:55:15Z</LastModified></Contents>\
            <CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes><NextContinuationToken>tok/1+=</NextContinuationToken></ListBucketResult>
            """
        let page = try #require(S3Responses.listPage(Array(xml.utf8)))
        #expect(page.objects.map(\.key) == ["a & b/x.parquet", "c"])
        #expect(page.objects.map(\.etag) == ["d41d8cd98f00b204e9800998ecf8427e", "abc-2"])
        #expect(page.objects.map(\.size) == [12, 0])
        #expect(page.objects[0].lastModified == Date(timeIntervalSince1970: 1_796_554_512.602))
        #expect(page.commonPrefixes == ["d/"])
        #expect(page.nextContinuationToken == "tok/1+=")
        #expect(S3Responses.listPage(Array("<Error><Code>x</Code></Error>".utf8)) == nil)
    }

    @Test func errorAndDeleteDocuments() throws {
        let error = try #require(S3ErrorBody(Array("""
            <?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><RequestId>R1</RequestId></Error>
            """.utf8)))
        #expect(error.code == "NoSuchBucket")
        #expect(error.message == "The specified bucket does not exist")
        #expect(error.requestId == "R1")
        #expect(S3ErrorBody([]) == nil)
        let failures = try #require(S3Responses.deleteFailures(Array("""
            <DeleteResult><Deleted><Key>ok</Key></Deleted><Error><Key>k&lt;1</Key><Code>AccessDenied</Code><Message>no</Message></Error></DeleteResult>
            """.utf8)))
        #expect(failures == [DeleteFailure(key: "k<1", code: "AccessDenied", message: "no")])
        let request = String(decoding: S3RequestBodies.delete(keys: ["a&b", "<c>"]), as: UTF8.self)
        #expect(request.contains("<Object><Key>a&amp;b</Key></Object><Object><Key>&lt;c&gt;</Key></Object><Quiet>true</Quiet>"))
    }

    @Test func createOnlyReconciliationTellsOwnLostWritesFromOtherWriters() {
        let mine = ObjectInfo(key: "k", size: 3, etag: "\"ABC123\"")
        // An earlier attempt may have been applied and the object holds exactly these bytes: it was this call.
        #expect(CreateOnlyReconciliation.outcome(expectedETag: "abc123", existing: mine, earlierAttemptMayHaveApplied: true)
            == .created(etag: "\"ABC123\""))
        // No earlier attempt could have written it: another writer did, with the same bytes.
        #expect(CreateOnlyReconciliation.outcome(expectedETag: "abc123", existing: mine, earlierAttemptMayHaveApplied: false)
            == .alreadyExists(existing: mine, sameContent: true))
        let other = ObjectInfo(key: "k", size: 3, etag: "ffff")
        #expect(CreateOnlyReconciliation.outcome(expectedETag: "abc123", existing: other, earlierAttemptMayHaveApplied: true)
            == .alreadyExists(existing: other, sameContent: false))
        #expect(CreateOnlyReconciliation.outcome(expectedETag: "abc123", existing: nil, earlierAttemptMayHaveApplied: true)
            == .alreadyExists(existing: nil, sameContent: false))
    }

    @Test func partSizeGrowsOnlyPastTenThousandParts() {
        let mib: UInt64 = 1 << 20
        #expect(S3Client.partSize(forFileOf: 20 * mib, preferred: 8 * mib) == 8 * mib)
        #expect(S3Client.partSize(forFileOf: 80_000 * mib, preferred: 8 * mib) == 8 * mib)
        let big = 100_000 * mib + 1
        let grown = S3Client.partSize(forFileOf: big, preferred: 8 * mib)
        #expect(grown % mib == 0)
        #expect((big + grown - 1) / grown <= 10_000)
        #expect(grown == 11 * mib)
    }

    @Test func digestsMatchKnownValues() throws {
        #expect(Digest.md5(Array("".utf8)).hexString == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Digest.sha256(Array("abc".utf8)).hexString
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let dir = try TemporaryDirectory()
        try dir.write("f", "hello world")
        #expect(try FileDigest.md5(of: .init(path: dir.path("f"), offset: 6, length: 5)) == Digest.md5(Array("world".utf8)))
        let error = #expect(throws: S3Error.self) {
            try FileDigest.md5(of: .init(path: dir.path("f"), offset: 6, length: 50))
        }
        #expect(error?.description.contains("truncated") == true)
    }
}
