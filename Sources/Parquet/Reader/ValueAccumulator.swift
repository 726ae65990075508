/// Dense (non-null) values of one column chunk, decoded from PLAIN pages or gathered from a dictionary.
/// Every decode is bounds-checked and throws `ParquetError.corrupt`.
final class ValueAccumulator {
    let physical: PhysicalType
    let context: String
    var bools: [Bool] = []
    var i32: [Int32] = []
    var i64: [Int64] = []
    var f32: [Float] = []
    var f64: [Double] = []
    var bytes: [[UInt8]] = []

    init(physical: PhysicalType, context: String) {
        self.physical = physical
        self.context = context
    }

    var count: Int {
        switch physical {
        case .boolean: return bools.count
        case .int32: return i32.count
        case .int64: return i64.count
        case .float: return f32.count
        case .double: return f64.count
        case .byteArray, .fixedLenByteArray: return bytes.count
        }
    }

    private func truncated(_ what: String) -> ParquetError {
        .corrupt("\(context): \(what) runs past the end of the page")
    }

    /// Decodes `count` PLAIN values from `p[start..<end]`.
    func appendPlain(_ p: UnsafeRawBufferPointer, start: Int, end: Int, count: Int) throws {
        guard start <= end, end <= p.count else { throw truncated("PLAIN data") }
        let avail = end - start
        func need(_ width: Int) throws {
            let (total, o) = width.multipliedReportingOverflow(by: count)
            guard !o, total <= avail else { throw truncated("PLAIN values (\(count) × \(width) bytes)") }
        }
        switch physical {
        case .boolean:
            guard (count + 7) / 8 <= avail else { throw truncated("PLAIN booleans") }
            bools.reserveCapacity(bools.count + count)
            for i in 0..<count { bools.append(p[start + i >> 3] >> UInt8(i & 7) & 1 == 1) }
        case .int32:
            try need(4)
            i32.reserveCapacity(i32.count + count)
            for i in 0..<count { i32.append(PlainEncoding.load(Int32.self, p, start + 4 * i)) }
        case .int64:
            try need(8)
            i64.reserveCapacity(i64.count + count)
            for i in 0..<count { i64.append(PlainEncoding.load(Int64.self, p, start + 8 * i)) }
        case .float:
            try need(4)
            f32.reserveCapacity(f32.count + count)
            for i in 0..<count { f32.append(Float(bitPattern: PlainEncoding.load(UInt32.self, p, start + 4 * i))) }
        case .double:
            try need(8)
            f64.reserveCapacity(f64.count + count)
            for i in 0..<count { f64.append(Double(bitPattern: PlainEncoding.load(UInt64.self, p, start + 8 * i))) }
        case .fixedLenByteArray(let n):
            try need(n)
            bytes.reserveCapacity(bytes.count + count)
            for i in 0..<count {
                let s = start + n * i
                bytes.append(Array(p[s..<(s + n)]))
            }
        case .byteArray:
            bytes.reserveCapacity(bytes.count + min(count, avail / 4))
            var pos = start
            for _ in 0..<count {
                guard end - pos >= 4 else { throw truncated("BYTE_ARRAY length") }
                let len = Int(PlainEncoding.load(UInt32.self, p, pos))
                pos += 4
                guard len <= end - pos else { throw truncated("BYTE_ARRAY value of \(len) bytes") }
                bytes.append(Array(p[pos..<(pos + len)]))
                pos += len
            }
        }
    }

    /// Decodes `count` RLE-encoded booleans (4-byte length prefix, bit width 1) from `p[start..<end]`.
    func appendRLEBooleans(_ p: UnsafeRawBufferPointer, start: Int, end: Int, count: Int) throws {
        guard end - start >= 4 else { throw truncated("RLE boolean length") }
        let len = Int(PlainEncoding.load(UInt32.self, p, start))
        guard len <= end - start - 4 else { throw truncated("RLE booleans") }
        var raw: [UInt32] = []
        try RLEHybrid.decode(p, start: start + 4, end: start + 4 + len, bitWidth: 1, count: count, into: &raw)
        bools.append(contentsOf: raw.lazy.map { $0 != 0 })
    }

    /// Appends `dict[index]` for every index. Throws `.corrupt` for an index outside the dictionary.
    func appendGathered(from dict: ValueAccumulator, indices: [UInt32]) throws {
        let n = dict.count
        for idx in indices where Int(idx) >= n {
            throw ParquetError.corrupt("\(context): dictionary index \(idx) out of range (dictionary has \(n) entries)")
        }
        switch physical {
        case .boolean: bools.append(contentsOf: indices.lazy.map { dict.bools[Int($0)] })
        case .int32: i32.append(contentsOf: indices.lazy.map { dict.i32[Int($0)] })
        case .int64: i64.append(contentsOf: indices.lazy.map { dict.i64[Int($0)] })
        case .float: f32.append(contentsOf: indices.lazy.map { dict.f32[Int($0)] })
        case .double: f64.append(contentsOf: indices.lazy.map { dict.f64[Int($0)] })
        case .byteArray, .fixedLenByteArray: bytes.append(contentsOf: indices.lazy.map { dict.bytes[Int($0)] })
        }
    }

    /// Builds the public column, inserting nulls where `present[i]` is false (`present` nil = no nulls).
    func build(present: [Bool]?, asString: Bool) -> ColumnValues {
        func spread<T>(_ dense: [T]) -> [T?] {
            guard let present else { return dense.map { Optional($0) } }
            var out: [T?] = []
            out.reserveCapacity(present.count)
            var j = 0
            for p in present {
                if p { out.append(dense[j]); j += 1 } else { out.append(nil) }
            }
            return out
        }
        switch physical {
        case .boolean: return .boolean(spread(bools))
        case .int32: return .int32(spread(i32))
        case .int64: return .int64(spread(i64))
        case .float: return .float(spread(f32))
        case .double: return .double(spread(f64))
        case .fixedLenByteArray: return .fixedLenByteArray(spread(bytes))
        case .byteArray:
            if asString { return .string(spread(bytes.map { String(decoding: $0, as: UTF8.self) })) }
            return .byteArray(spread(bytes))
        }
    }
}
