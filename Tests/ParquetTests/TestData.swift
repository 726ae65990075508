@testable import Parquet
import WeirTestSupport

enum TestData {
    static let hexDigits = Array("0123456789abcdef".utf8)
    static func hex(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count * 2)
        for x in b { out.append(hexDigits[Int(x >> 4)]); out.append(hexDigits[Int(x & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Canonical strings (see testdata/oracles/parquet_dump.py) for a column's values.
    static func canonical(_ v: ColumnValues, _ c: ColumnDescriptor) -> [String?] {
        let unsigned = c.logicalType?.isUnsignedInteger ?? false
        switch v {
        case .boolean(let a): return a.map { $0.map { $0 ? "true" : "false" } }
        case .int32(let a): return a.map { $0.map { unsigned ? String(UInt32(bitPattern: $0)) : String($0) } }
        case .int64(let a): return a.map { $0.map { unsigned ? String(UInt64(bitPattern: $0)) : String($0) } }
        case .float(let a): return a.map { $0.map { $0.isNaN ? "nan" : String($0.bitPattern) } }
        case .double(let a): return a.map { $0.map { $0.isNaN ? "nan" : String($0.bitPattern) } }
        case .string(let a): return a
        case .byteArray(let a), .fixedLenByteArray(let a): return a.map { $0.map(hex) }
        }
    }

    /// Expected (min, max) canonical statistics of rows `range`, or nil when there is no non-NaN value.
    static func expectedStats(_ v: ColumnValues, _ c: ColumnDescriptor, _ range: Range<Int>) -> (String, String)? {
        let unsigned = c.logicalType?.isUnsignedInteger ?? false
        func mm<T: Comparable>(_ xs: [T]) -> (T, T)? { xs.isEmpty ? nil : (xs.min()!, xs.max()!) }
        switch v {
        case .boolean(let a):
            return mm(a[range].compactMap { $0.map { $0 ? 1 : 0 } }).map { ($0.0 == 1 ? "true" : "false", $0.1 == 1 ? "true" : "false") }
        case .int32(let a):
            let xs = a[range].compactMap { $0 }
            if unsigned { return mm(xs.map { UInt32(bitPattern: $0) }).map { (String($0.0), String($0.1)) } }
            return mm(xs).map { (String($0.0), String($0.1)) }
        case .int64(let a):
            let xs = a[range].compactMap { $0 }
            if unsigned { return mm(xs.map { UInt64(bitPattern: $0) }).map { (String($0.0), String($0.1)) } }
            return mm(xs).map { (String($0.0), String($0.1)) }
        case .float(let a):
            let xs: [Float] = a[range].compactMap { $0 }.filter { !$0.isNaN }
            guard let (lo, hi) = mm(xs) else { return nil }
            let l: Float = lo == 0 ? -Float(0) : lo
            let h: Float = hi == 0 ? Float(0) : hi
            return (String(l.bitPattern), String(h.bitPattern))
        case .double(let a):
            let xs: [Double] = a[range].compactMap { $0 }.filter { !$0.isNaN }
            guard let (lo, hi) = mm(xs) else { return nil }
            let l: Double = lo == 0 ? -Double(0) : lo
            let h: Double = hi == 0 ? Double(0) : hi
            return (String(l.bitPattern), String(h.bitPattern))
        case .string(let a):
            return mm(a[range].compactMap { $0 }.map { Array($0.utf8) }.map(LexBytes.init)).map { (hex($0.0.b), hex($0.1.b)) }
        case .byteArray(let a), .fixedLenByteArray(let a):
            let xs = a[range].compactMap { $0 }
            if case .decimal = c.logicalType {
                return mm(xs.map(SignedBytes.init)).map { (hex($0.0.b), hex($0.1.b)) }
            }
            return mm(xs.map(LexBytes.init)).map { (hex($0.0.b), hex($0.1.b)) }
        }
    }

    struct LexBytes: Comparable {
        let b: [UInt8]
        static func < (l: LexBytes, r: LexBytes) -> Bool { l.b.lexicographicallyPrecedes(r.b) }
    }
    struct SignedBytes: Comparable {
        let b: [UInt8]
        static func < (l: SignedBytes, r: SignedBytes) -> Bool {
            l.b.withUnsafeBytes { x in r.b.withUnsafeBytes { y in compareBigEndianSigned(x, y) < 0 } }
        }
    }

    /// Every supported type/logical type; `optional` makes all columns OPTIONAL.
    static func schema(optional: Bool) -> ParquetSchema {
        let r: Repetition = optional ? .optional : .required
        return ParquetSchema(columns: [
            .init(name: "b", physicalType: .boolean, repetition: r),
            .init(name: "i8", physicalType: .int32, logicalType: .integer(bitWidth: 8, signed: true), repetition: r),
            .init(name: "u16", physicalType: .int32, logicalType: .integer(bitWidth: 16, signed: false), repetition: r),
            .init(name: "i32", physicalType: .int32, repetition: r),
            .init(name: "u32", physicalType: .int32, logicalType: .integer(bitWidth: 32, signed: false), repetition: r),
            .init(name: "i64", physicalType: .int64, repetition: r),
            .init(name: "u64", physicalType: .int64, logicalType: .integer(bitWidth: 64, signed: false), repetition: r),
            .init(name: "f32", physicalType: .float, repetition: r),
            .init(name: "f64", physicalType: .double, repetition: r),
            .string("s", optional: optional),
            .binary("bin", optional: optional),
            .init(name: "flba", physicalType: .fixedLenByteArray(length: 6), repetition: r),
            .timestampMicros("ts_us", optional: optional),
            .timestampMillis("ts_ms", optional: optional),
            .date("d", optional: optional),
            .init(name: "dec32", physicalType: .int32, logicalType: .decimal(precision: 9, scale: 2), repetition: r),
            .init(name: "dec64", physicalType: .int64, logicalType: .decimal(precision: 18, scale: 4), repetition: r),
            .init(name: "decflba", physicalType: .fixedLenByteArray(length: 16), logicalType: .decimal(precision: 38, scale: 10), repetition: r),
            .json("js", optional: optional),
            .string("accion", optional: optional),
        ])
    }

    static let expectedArrowTypes = ["bool", "int8", "uint16", "int32", "uint32", "int64", "uint64", "float", "double",
                                     "string", "binary", "fixed_size_binary[6]", "timestamp[us, tz=UTC]", "timestamp[ms, tz=UTC]",
                                     "date32[day]", "decimal128(9, 2)", "decimal128(18, 4)", "decimal128(38, 10)", "extension<arrow.json>", "string"]

    /// Seeded random values for `schema(optional:)`; `nullFraction` of rows are null (0 when required).
    static func table(rows: Int, seed: UInt64, nullFraction: Double) -> [ColumnValues] {
        var g = SplitMix64(seed: seed)
        func col<T>(_ gen: (inout SplitMix64) -> T) -> [T?] {
            (0..<rows).map { _ in Double.random(in: 0..<1, using: &g) < nullFraction ? nil : gen(&g) }
        }
        let words = ["", "a", "ñandú", "日本語", "😀🎉 emoji", "alpha", "ZZ", "\u{10FFFF}"]
        var i64 = col { Int64.random(in: .min ... .max, using: &$0) }
        var f32 = col { Float.random(in: -1e6...1e6, using: &$0) }
        var f64 = col { Double.random(in: -1e300...1e300, using: &$0) }
        // Edge values in the first rows (when not null).
        let i64Edges: [Int64] = [.min, .max, 0, -1]
        for (k, e) in i64Edges.enumerated() where k < rows && i64[k] != nil { i64[k] = e }
        let fEdges: [Float] = [-0.0, .infinity, -.infinity, .nan, 0.0]
        for (k, e) in fEdges.enumerated() where k < rows && f32[k] != nil { f32[k] = e }
        let dEdges: [Double] = [-0.0, .infinity, -.infinity, .nan, 0.0]
        for (k, e) in dEdges.enumerated() where k < rows && f64[k] != nil { f64[k] = e }
        return [
            .boolean(col { Bool.random(using: &$0) }),
            .int32(col { Int32.random(in: -128...127, using: &$0) }),
            .int32(col { Int32.random(in: 0...65535, using: &$0) }),
            .int32(col { Int32.random(in: .min ... .max, using: &$0) }),
            .int32(col { Int32(bitPattern: UInt32.random(in: 0 ... .max, using: &$0)) }),
            .int64(i64),
            .int64(col { Int64(bitPattern: UInt64.random(in: 0 ... .max, using: &$0)) }),
            .float(f32),
            .double(f64),
            .string(col { g in  // ~10 % empty strings; the rest mix ASCII, multi-byte UTF-8 and emoji
                Int.random(in: 0..<10, using: &g) == 0 ? "" : words.randomElement(using: &g)! + String(Int.random(in: 0..<1000, using: &g))
            }),
            .byteArray(col { g in (0..<Int.random(in: 0...10, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) } }),
            .fixedLenByteArray(col { g in (0..<6).map { _ in UInt8.random(in: 0...255, using: &g) } }),
            .int64(col { Int64.random(in: 0...(1 << 52), using: &$0) }),
            .int64(col { Int64.random(in: -(1 << 42)...(1 << 42), using: &$0) }),
            .int32(col { Int32.random(in: -100_000...100_000, using: &$0) }),
            .int32(col { Int32.random(in: -999_999_999...999_999_999, using: &$0) }),
            .int64(col { Int64.random(in: -999_999_999_999_999_999...999_999_999_999_999_999, using: &$0) }),
            .fixedLenByteArray(col { g in
                // |value| < 10^37 fits decimal(38): top byte in a small range keeps it well within bounds.
                let neg = Bool.random(using: &g)
                var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
                b[0] = neg ? 0xFF - UInt8.random(in: 0...0x3F, using: &g) : UInt8.random(in: 0...0x3F, using: &g)
                return b
            }),
            .string(col { "{\"k\":\(Int.random(in: 0..<100, using: &$0)),\"s\":\"é😀\"}" }),
            .string(col { ["view", "click", "buy", "share"].randomElement(using: &$0)! }),
        ]
    }
}
