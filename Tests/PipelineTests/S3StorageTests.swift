import Foundation
import ObjectStore
import ObjectStoreTestSupport
import Testing
@testable import Pipeline

/// `S3Storage` against a real SeaweedFS (`weed mini` on loopback): every `Storage` operation, streamed multipart
/// writes, create-only refusals and their count, and leases.
@Suite struct S3StorageTests {
    static func storage(_ server: SeaweedServer, prefix: String = "lake", partSize: UInt64 = S3Configuration.minimumPartSize,
                        ttl: Duration = .seconds(30), now: @escaping @Sendable () -> Date = { Date() },
                        refused: Locked<[String]> = Locked([])) throws -> S3Storage {
        let client = try server.client { $0.partSize = partSize; $0.multipartThreshold = partSize }
        return S3Storage(client: client, location: S3Location(bucket: server.bucket, prefix: prefix), leaseTTL: ttl,
                         leaseGrace: .milliseconds(500), onRefusedWrite: { uri in refused.withLock { $0.append(uri) } }, now: now)
    }

    @Test func locationsParse() {
        #expect(S3Location.parse("s3://bucket/a/b/") == S3Location(bucket: "bucket", prefix: "a/b"))
        #expect(S3Location.parse("s3://bucket") == S3Location(bucket: "bucket", prefix: ""))
        #expect(S3Location.parse("s3://bucket/a//b") == nil)
        #expect(S3Location.parse("s3:///a") == nil)
        #expect(S3Location.parse("/tmp/lake") == nil)
        #expect(S3Location(bucket: "b", prefix: "p").key("date=1/x") == "p/date=1/x")
        #expect(S3Location(bucket: "b", prefix: "").key("x") == "x")
    }

    @Test func leaseExpiryIsJudgedByLastModifiedPlusTTLAndGrace() {
        let written = Date(timeIntervalSince1970: 1_000)
        #expect(!S3LeaseRecord.isExpired(lastModified: written, ttl: .seconds(30), grace: .seconds(2), now: written.addingTimeInterval(32.9)))
        #expect(S3LeaseRecord.isExpired(lastModified: written, ttl: .seconds(30), grace: .seconds(2), now: written.addingTimeInterval(33.1)))
        let record = S3LeaseRecord(prefix: "_weir/staging/a", host: "h", pid: 7, ttlMs: 30_000, renewedAtMs: 5)
        #expect(S3LeaseRecord.decode(record.encoded()) == record)
    }

    @Test(.timeLimit(.minutes(3)))
    func everyOperationWorksOnSeaweedFS() throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let refused = Locked<[String]>([])
        let storage = try Self.storage(server, refused: refused)

        try storage.put("_weir/staging/i1/a.tmp", bytes: Array("alpha".utf8))
        #expect(try storage.get("_weir/staging/i1/a.tmp") == Array("alpha".utf8))
        #expect(try storage.get("missing") == nil)
        #expect(storage.exists("_weir/staging/i1/a.tmp") && storage.exists("_weir/staging/i1") && storage.exists("_weir"))
        #expect(!storage.exists("_weir/staging/i2"))
        #expect(throws: StorageError.self) { try storage.put("_weir/staging/i1/a.tmp", bytes: Array("other".utf8)) }
        #expect(try storage.get("_weir/staging/i1/a.tmp") == Array("alpha".utf8), "a create-only write never replaces")
        #expect(refused.withLock { $0 } == ["s3://\(server.bucket)/lake/_weir/staging/i1/a.tmp"])

        try storage.put("_weir/staging/i1/b.tmp", bytes: Array("beta".utf8))
        try storage.put("date=2025-10-30/x.parquet", bytes: [1])
        #expect(try storage.list("") == ["_weir", "date=2025-10-30"])
        #expect(try storage.list("_weir/staging/i1") == ["a.tmp", "b.tmp"])
        #expect(try storage.list("nothing") == [])

        // publish: a server-side copy, then the source goes.
        try storage.publish("_weir/staging/i1/a.tmp", to: "date=2025-10-30/a.parquet")
        #expect(try storage.get("date=2025-10-30/a.parquet") == Array("alpha".utf8))
        #expect(!storage.exists("_weir/staging/i1/a.tmp"))
        // A publish retried after the copy (both names hold the object): refused, counted, the source deleted.
        try storage.put("_weir/staging/i1/a2.tmp", bytes: Array("alpha".utf8))
        try storage.publish("_weir/staging/i1/a2.tmp", to: "date=2025-10-30/a.parquet")
        #expect(!storage.exists("_weir/staging/i1/a2.tmp"))
        // Different bytes under a taken name: refused and reported, nothing replaced.
        #expect { try storage.publish("_weir/staging/i1/b.tmp", to: "date=2025-10-30/a.parquet") } throws: {
            ($0 as? StorageError)?.kind == .exists
        }
        #expect(try storage.get("date=2025-10-30/a.parquet") == Array("alpha".utf8))
        // The source gone and the destination there (recovery published it): notFound, counted.
        #expect { try storage.publish("_weir/staging/i1/gone.tmp", to: "date=2025-10-30/a.parquet") } throws: {
            ($0 as? StorageError)?.kind == .notFound
        }
        #expect(refused.withLock { $0.count } == 4)

        // delete of a prefix removes everything below it, across pages of the batch delete.
        for i in 0..<30 { try storage.put("_weir/staging/i9/f\(i)", bytes: [UInt8(i)]) }
        try storage.delete("_weir/staging/i9")
        #expect(try storage.list("_weir/staging/i9") == [])
        try storage.delete("_weir/staging/i9")  // idempotent
        try storage.sync("_weir/staging/i1")
    }

    /// A file larger than one part goes as a multipart upload while it is written; the completion is create-only.
    @Test(.timeLimit(.minutes(3)))
    func largeObjectsStreamAsMultipartUploads() throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let refused = Locked<[String]>([])
        let storage = try Self.storage(server, refused: refused)
        var expected: [UInt8] = []
        func write(_ name: String) throws {
            let writer = try storage.create(name)
            var random = SystemRandomNumberGenerator()
            for _ in 0..<20 {  // 20 chunks of 1 MiB: three parts of 8 MiB, 8 MiB and 4 MiB
                let chunk = (0..<(1 << 20) / 8).flatMap { _ in withUnsafeBytes(of: random.next() as UInt64) { Array($0) } }
                if expected.count < 20 << 20 { expected += chunk }
                try chunk.withUnsafeBytes { try writer.write($0) }
            }
            #expect(writer.position == 20 << 20)
            try writer.finish(durable: true)
        }
        try write("date=2025-10-30/big.parquet")
        let info = try #require(try storage.client.headObject(key: "lake/date=2025-10-30/big.parquet"))
        #expect(info.size == 20 << 20)
        #expect(info.etag.hasSuffix("-3"), "three parts: \(info.etag)")
        #expect(try storage.get("date=2025-10-30/big.parquet") == expected)
        #expect(throws: StorageError.self) { try write("date=2025-10-30/big.parquet") }
        #expect(refused.withLock { $0.count } == 1)
        #expect(try storage.client.listMultipartUploads(prefix: "lake/").isEmpty, "the refused upload was aborted")
    }

    /// A claim is a lease object renewed by a heartbeat; another instance may take it over only once it has
    /// expired by the object's Last-Modified.
    @Test(.timeLimit(.minutes(3)))
    func leasesCanBeTakenOverOnlyOnceExpired() throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let holder = try Self.storage(server, ttl: .seconds(2))
        let lease = try holder.claim("_weir/staging/aaaa")
        #expect(throws: StorageError.self) { _ = try holder.claim("_weir/staging/aaaa") }
        let skew = Locked<TimeInterval>(0)
        let other = try Self.storage(server, ttl: .seconds(2), now: { Date().addingTimeInterval(skew.withLock { $0 }) })
        // Renewed every 2/3 s: never expired while the holder lives, however long we watch.
        let watchUntil = Date().addingTimeInterval(5)
        while Date() < watchUntil {
            #expect(try other.takeOver("_weir/staging/aaaa") == nil)
            Thread.sleep(forTimeInterval: 0.5)
        }
        skew.withLock { $0 = 60 }  // a reader whose clock is a minute ahead (or a holder that stalled that long)
        let taken = try #require(try other.takeOver("_weir/staging/aaaa"))
        #expect(taken.prefix == "_weir/staging/aaaa")
        #expect(try other.takeOver("_weir/staging/never-claimed") == nil)
        withExtendedLifetime(lease) {}
        // A dropped lease stops renewing: it expires on the real clock too.
        skew.withLock { $0 = 0 }
        let short = try holder.claim("_weir/staging/bbbb")
        _ = short
        let started = Date()
        var dropped: StorageLease? = try holder.claim("_weir/staging/cccc")
        dropped = nil
        _ = dropped
        var takeover: StorageLease?
        while takeover == nil, Date().timeIntervalSince(started) < 60 {
            takeover = try other.takeOver("_weir/staging/cccc")
            if takeover == nil { Thread.sleep(forTimeInterval: 0.25) }
        }
        #expect(takeover != nil)
        #expect(Date().timeIntervalSince(started) >= 2.5, "not before the TTL and the grace")
        #expect(try other.takeOver("_weir/staging/bbbb") == nil, "the live lease is still renewed")
    }

    /// A prefix this storage took over stays taken for every caller of the process: the lease object the take-over
    /// wrote is fresh for a TTL, yet asking again (recovery, then the orphan scans, then `weir maintain`) must not
    /// find its dead writer alive, also once recovery deleted its prefix (SeaweedFS may still list the empty
    /// directory). Another process sees the recoverer's lease as held, and nothing in a deleted prefix.
    @Test(.timeLimit(.minutes(3)))
    func aPrefixTakenOverStaysTakenForItsProcess() throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let dead = "_weir/staging/dead"
        let writer = try Self.storage(server, ttl: .seconds(2))
        var claim: StorageLease? = try writer.claim(dead)
        try writer.put(dead + "/part-0.parquet.tmp", bytes: Array("staged".utf8))
        claim = nil  // the writer dies: its lease is no longer renewed
        _ = claim
        let recoverer = try Self.storage(server, ttl: .seconds(2))
        let started = Date()
        var taken: StorageLease?
        while taken == nil, Date().timeIntervalSince(started) < 60 {
            taken = try recoverer.takeOver(dead)
            if taken == nil { Thread.sleep(forTimeInterval: 0.25) }
        }
        let first = try #require(taken, "the dead writer's lease never expired")
        #expect(try recoverer.takeOver(dead) === first, "while the recoverer holds the lease it gets the same one again")
        let otherProcess = try Self.storage(server, ttl: .seconds(2))
        #expect(try otherProcess.takeOver(dead) == nil, "another process took over a prefix the recoverer holds")
        taken = nil
        // The recoverer let go of its lease, whose object is still fresh: the writer is dead all the same.
        #expect(try recoverer.takeOver(dead) != nil, "the recoverer's process found the writer it took over alive")
        #expect(try recoverer.takeOver(dead) != nil)
        try recoverer.delete(dead)
        #expect(try recoverer.takeOver(dead) != nil, "the writer came back to life once its prefix was deleted")
        #expect(!recoverer.exists(dead), "taking over a deleted prefix recreated it")
        #expect(try otherProcess.takeOver(dead) == nil, "another process found something to take over in a deleted prefix")
    }
}
