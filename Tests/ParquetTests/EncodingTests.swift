import Testing
@testable import Parquet
import WeirTestSupport

/// RLE/bit-packing hybrid, PLAIN and statistics unit tests (no I/O).
@Suite struct EncodingTests {
    func rle(_ v: [UInt32], _ bw: Int) -> [UInt8] {
        var out: [UInt8] = []
        RLEHybrid.encode(v, bitWidth: bw, into: &out)
        return out
    }

    func unrle(_ b: [UInt8], _ bw: Int, _ n: Int) throws -> [UInt32] {
        var out: [UInt32] = []
        try b.withUnsafeBytes { try RLEHybrid.decode($0, start: 0, end: $0.count, bitWidth: bw, count: n, into: &out) }
        return out
    }

    @Test func rleRun() {
        // 8 × 1: header = 8 << 1 = 0x10, value in one byte.
        #expect(rle(Array(repeating: 1, count: 8), 1) == [0x10, 0x01])
        // 300 × 5 at width 3: header varint(600) = 0xD8 0x04.
        #expect(rle(Array(repeating: 5, count: 300), 3) == [0xD8, 0x04, 0x05])
        // width 9 → 2-byte little-endian run value.
        #expect(rle(Array(repeating: 0x1FF, count: 10), 9) == [0x14, 0xFF, 0x01])
    }

    @Test func bitPacked() {
        #expect(rle([0, 1, 0, 1, 0, 1, 0, 1], 1) == [0x03, 0xAA])
        // Spec example: 0..7 at width 3 → 0x88 0xC6 0xFA.
        #expect(rle([0, 1, 2, 3, 4, 5, 6, 7], 3) == [0x03, 0x88, 0xC6, 0xFA])
        // Partial final group is zero-padded.
        #expect(rle([1, 0, 1], 1) == [0x03, 0x05])
    }

    @Test(arguments: [1, 2, 3, 7, 8, 13, 20, 32])
    func rleRoundTrip(bitWidth: Int) throws {
        var g = SplitMix64(seed: UInt64(bitWidth))
        let maxV: UInt64 = bitWidth == 32 ? UInt64(UInt32.max) : (1 << UInt64(bitWidth)) - 1
        var values: [UInt32] = []
        while values.count < 5000 {
            let v = UInt32(UInt64.random(in: 0...maxV, using: &g))
            values += Array(repeating: v, count: Bool.random(using: &g) ? 1 : Int.random(in: 1...40, using: &g))
        }
        let enc = rle(values, bitWidth)
        #expect(try unrle(enc, bitWidth, values.count) == values)
        for cut in [0, 1, enc.count / 2, enc.count - 1] {
            #expect(throws: ParquetError.self) { _ = try unrle(Array(enc[0..<cut]), bitWidth, values.count) }
        }
    }

    @Test func hugeRunHeadersThrowInsteadOfTrapping() {
        // Bit-packed header with ~2^62 groups at width 32, and an RLE run header of ~2^62 values with no value byte.
        let bitPacked: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01]
        #expect(throws: ParquetError.self) { _ = try unrle(bitPacked, 32, 10) }
        let rleRun: [UInt8] = [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        #expect(throws: ParquetError.self) { _ = try unrle(rleRun, 8, 1_000_000_000) }
    }

    @Test func plainValues() {
        var out: [UInt8] = []
        PlainEncoding.append(Int32(1), to: &out)
        PlainEncoding.append(Int32(-1), to: &out)
        #expect(out == [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        out = []
        PlainEncoding.append((1.0 as Double).bitPattern, to: &out)
        #expect(out == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        out = []
        PlainEncoding.appendBooleans([true, false, true], to: &out)
        #expect(out == [0x05])
        out = []
        Array("ab".utf8).withUnsafeBytes { PlainEncoding.appendByteArray($0, to: &out) }
        #expect(out == [2, 0, 0, 0, 0x61, 0x62])
    }

    @Test func plainDecodeBoundsChecked() throws {
        let acc = ValueAccumulator(physical: .byteArray, context: "t")
        let data: [UInt8] = [5, 0, 0, 0, 0x61]
        #expect(throws: ParquetError.self) { try data.withUnsafeBytes { try acc.appendPlain($0, start: 0, end: 5, count: 1) } }
        let ints = ValueAccumulator(physical: .int64, context: "t")
        #expect(throws: ParquetError.self) { try data.withUnsafeBytes { try ints.appendPlain($0, start: 0, end: 5, count: 1) } }
    }

    @Test func floatingStatisticsZeroAndNaN() {
        var s = StatisticsAccumulator(column: .double("d"))
        s.add(double: 0.0); s.add(double: .nan)
        let st = s.build()
        #expect(st.minValue == withUnsafeBytes(of: (-0.0 as Double).bitPattern.littleEndian, Array.init))
        #expect(st.maxValue == withUnsafeBytes(of: (0.0 as Double).bitPattern.littleEndian, Array.init))
        var n = StatisticsAccumulator(column: .double("d"))
        n.add(double: .nan)
        #expect(n.build().minValue == nil)
    }

    @Test func byteStatisticsUseUnsignedOrderAndNoLegacy() {
        var s = StatisticsAccumulator(column: .string("s"))
        for v in ["b", "é", "a"] { Array(v.utf8).withUnsafeBytes { s.add(bytes: $0) } }
        let st = s.build()
        #expect(st.minValue == Array("a".utf8))
        #expect(st.maxValue == Array("é".utf8))  // 0xC3 > 'b' unsigned
        #expect(st.legacyMin == nil && st.legacyMax == nil)
        var u = StatisticsAccumulator(column: .init(name: "u", physicalType: .int32, logicalType: .integer(bitWidth: 32, signed: false), repetition: .required))
        u.add(int: -1, bits: UInt64(UInt32.max)); u.add(int: 1, bits: 1)
        #expect(u.build().maxValue == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(u.build().legacyMax == nil)
    }

    @Test func dictionaryInsert() {
        var d = ByteDictionary(lengthPrefixed: true)
        var idx: [UInt32] = []
        for i in 0..<5000 { Array("v\(i % 1234)".utf8).withUnsafeBytes { idx.append(d.insert($0).index) } }
        #expect(d.count == 1234)
        #expect(idx[1234] == 0 && idx[1235] == 1)
        #expect(d.withEntry(7) { Array($0) } == Array("v7".utf8))
    }

    /// `FixedDictionary` against a reference map, through its dense window (growing both ways), the move to the
    /// hash table (wide range, or keys beyond ±2^61), and hash growth. Indices must follow insertion order and
    /// `plain` must hold the keys in that order.
    @Test(arguments: ["descending", "ids", "outliers", "extremes", "timestamps"])
    func fixedDictionaryMatchesReference(pattern: String) {
        let keys: [Int64]
        switch pattern {
        case "descending": keys = (0..<3000).map { 1_000 - Int64($0) * 7 }  // window grows downwards, stays dense
        case "ids": keys = (0..<5000).map { Int64(($0 * 7919) % 100_003 + 1) }  // scattered ids, stays dense
        case "outliers": keys = (0..<5000).map { $0 % 50 == 49 ? Int64($0) << 40 : Int64($0 % 977) }  // leaves the window
        case "extremes": keys = (0..<4000).map { $0 == 10 ? .min : ($0 == 20 ? .max : Int64($0 % 300) - 150) }
        default: keys = (0..<3000).map { 1_767_225_600_000_000 + Int64($0) * 1_000 }  // dense, then hashed
        }
        for width in [8, 4] {
            let ks = keys.map { width == 4 ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: $0))) : UInt64(bitPattern: $0) }
            var d = FixedDictionary(width: width)
            var reference: [UInt64: UInt32] = [:]
            var order: [UInt64] = []
            var got: [UInt32] = []
            ks.withUnsafeBufferPointer { d.insert(UnsafeBufferPointer(rebasing: $0[0..<($0.count / 2)]), appendingTo: &got) }
            for k in ks[(ks.count / 2)...] { got.append(d.insert(k)) }
            var want: [UInt32] = []
            for k in ks {
                if reference[k] == nil { reference[k] = UInt32(order.count); order.append(k) }
                want.append(reference[k]!)
            }
            #expect(got == want, "width \(width)")
            #expect(d.count == order.count)
            var plain: [UInt8] = []
            for k in order {
                if width == 4 { PlainEncoding.append(UInt32(truncatingIfNeeded: k), to: &plain) } else { PlainEncoding.append(k, to: &plain) }
            }
            #expect(d.plain == plain, "width \(width)")
        }
    }
}
