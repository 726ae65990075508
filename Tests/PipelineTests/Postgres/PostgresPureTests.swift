import Foundation
import Testing
@testable import Pipeline

/// The PostgreSQL store's pure parts, without a server: URL redaction, reconnect backoff, day partition names,
/// array literals and binary arrays.
@Suite struct PostgresPureTests {
    @Test func passwordsAreRedactedFromURLsAndConnectionStrings() {
        #expect(PostgresLocation.redact("postgres://weir:s3cr%40t@db:5432/weir") == "postgres://weir:***@db:5432/weir")
        #expect(PostgresLocation.redact("postgresql://weir@db/weir?sslmode=require&password=abc&x=1")
                == "postgresql://weir@db/weir?sslmode=require&password=***&x=1")
        #expect(PostgresLocation.redact("postgres://weir@db:5432/weir") == "postgres://weir@db:5432/weir")
        #expect(PostgresLocation.redact("host=db password=abc user=weir") == "host=db password=*** user=weir")
    }

    @Test func malformedURLsAreRefusedWithoutThePassword() throws {
        #expect(throws: StoreError.self) { _ = try PostgresLocation(url: "mysql://x@y/z") }
        do {
            _ = try PostgresLocation(url: "postgres://weir:topsecret@db:notaport/weir")
            Issue.record("accepted a bad port")
        } catch let error as StoreError {
            #expect(error.message.contains("postgres://weir:***@db:notaport/weir") && !error.description.contains("topsecret"), "\(error)")
        }
        #expect(try PostgresLocation(url: "postgres://weir@127.0.0.1:5432/weir?sslmode=disable").redacted.hasPrefix("postgres://"))
    }

    @Test func backoffDoublesUpToItsMaximumAndGivesUp() {
        let b = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(1), giveUpAfter: .seconds(10))
        #expect(b.delay(afterAttempt: 1, elapsed: .zero) == .milliseconds(100))
        #expect(b.delay(afterAttempt: 2, elapsed: .zero) == .milliseconds(200))
        #expect(b.delay(afterAttempt: 4, elapsed: .zero) == .milliseconds(800))
        #expect(b.delay(afterAttempt: 5, elapsed: .zero) == .seconds(1))
        #expect(b.delay(afterAttempt: 50, elapsed: .seconds(3)) == .seconds(1))
        #expect(b.delay(afterAttempt: 9, elapsed: .milliseconds(9_700)) == .milliseconds(300), "never past the limit")
        #expect(b.delay(afterAttempt: 9, elapsed: .seconds(10)) == nil)
    }

    @Test func dayPartitionsAreNamedByTheirUTCDate() {
        #expect(DedupKeyPartitions.day(of: 0) == 0 && DedupKeyPartitions.day(of: 86_399) == 0 && DedupKeyPartitions.day(of: 86_400) == 1)
        #expect(DedupKeyPartitions.day(of: -1) == -1)
        let day = DedupKeyPartitions.day(of: 1_761_782_400)  // 2025-10-30T00:00:00Z
        #expect(DedupKeyPartitions.name(ofDay: day) == "dedup_keys_20251030")
        #expect(DedupKeyPartitions.day(ofName: "dedup_keys_20251030") == day)
        #expect(DedupKeyPartitions.day(ofName: "dedup_keys_2025103") == nil && DedupKeyPartitions.day(ofName: "files") == nil)
        #expect(DedupKeyPartitions.expired([day - 2, day - 1, day], olderThan: Int64(day) * 86_400 + 10) == [day - 2, day - 1])
    }

    @Test func arrayLiteralsQuoteTextAndRoundTripKeys() {
        #expect(PGArrayLiteral.text(["a", "b \"c\"", "d\\e", nil]) == #"{"a","b \"c\"","d\\e",NULL}"#)
        #expect(PGArrayLiteral.bare([1, -2, 3]) == "{1,-2,3}")
        let k = DedupKey(hashing: Array("x".utf8))
        let hex = PGArrayLiteral.uuidHex(high: k.high, low: k.low)
        let dashed = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
            .joined(separator: "-")
        let back = PGArrayLiteral.uuidHalves(dashed)
        #expect(back?.high == k.high && back?.low == k.low)
        #expect(PGArrayLiteral.uuidHalves("zz") == nil)
    }

    @Test func binaryUUIDArraysFollowTheWireFormat() {
        let bytes = PGBinaryArray.uuids([(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10), (high: .max, low: 0)])
        let header: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x0B, 0x86, 0, 0, 0, 2, 0, 0, 0, 1]  // 1 dim, no NULLs, oid 2950, 2 elements from 1
        #expect(Array(bytes.prefix(20)) == header)
        #expect(Array(bytes[20..<40]) == [0, 0, 0, 16] + (1...16).map { UInt8($0) })
        #expect(Array(bytes[40..<60]) == [0, 0, 0, 16] + [UInt8](repeating: 0xFF, count: 8) + [UInt8](repeating: 0, count: 8))
        #expect(bytes.count == 60)
        #expect(PGBinaryArray.uuids([(high: UInt64, low: UInt64)]()) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0B, 0x86], "the empty array has no dimensions")
    }

    @Test func keyParametersAreSortedAndWithoutRepeats() {
        let keys = [DedupKey(high: 2, low: 0), DedupKey(high: 1, low: 9), DedupKey(high: 2, low: 0), DedupKey(high: 1, low: 3)]
        let sorted = PostgresCheckpointStore.sortedUnique(keys)
        #expect(sorted.count == 3)
        guard case .binary(let bytes) = PostgresCheckpointStore.keyParameter(sorted: sorted) else { Issue.record("not binary"); return }
        #expect(bytes == PGBinaryArray.uuids([(high: 1, low: 3), (high: 1, low: 9), (high: 2, low: 0)]))
        #expect(PostgresCheckpointStore.sortedUnique([]).isEmpty)
        #expect(PostgresCheckpointStore.sortedUnique([key(1), key(1), key(1)]) == [key(1)])
        var random = SystemRandomNumberGenerator()
        let many = (0..<5_000).map { _ in key(Int.random(in: 0..<2_000, using: &random)) }
        #expect(PostgresCheckpointStore.sortedUnique(many) == Set(many).sorted())
    }

    @Test func keyRowsFollowTheBinaryCopyFormat() {
        let bytes = PostgresCheckpointStore.keyRows([DedupKey(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)], day: 20_000, seenAt: -2)
        let signature: [UInt8] = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00]  // PGCOPY\n\377\r\n\0
        #expect(Array(bytes.prefix(19)) == signature + [0, 0, 0, 0] + [0, 0, 0, 0], "no flags, no header extension")
        var row: [UInt8] = [0, 3]                                                  // three fields
        row += [0, 0, 0, 4, 0, 0, 0x4E, 0x20]                                      // day 20000 as int4
        row += [0, 0, 0, 16] + (1...16).map { UInt8($0) }                          // the key's 16 bytes, high half first
        row += [0, 0, 0, 8] + [UInt8](repeating: 0xFF, count: 7) + [0xFE]          // seen_at -2 as int8
        #expect(Array(bytes[19..<(19 + row.count)]) == row)
        #expect(Array(bytes.suffix(2)) == [0xFF, 0xFF] && bytes.count == 19 + row.count + 2, "the trailer ends it")
        #expect(PostgresCheckpointStore.keyRows([], day: 1, seenAt: 1) == PGBinaryCopy.header + [0xFF, 0xFF])
    }
}
