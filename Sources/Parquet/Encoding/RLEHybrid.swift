/// RLE / bit-packing hybrid encoding (parquet-format Encodings.md "Run Length Encoding / Bit-Packing Hybrid").
/// Used for definition levels (bit width 1, with a 4-byte length prefix in V1 pages) and dictionary indices.
enum RLEHybrid {
    /// Minimum bit width able to represent `maxValue`.
    static func bitWidth(forMax maxValue: UInt32) -> Int { maxValue == 0 ? 0 : 32 - maxValue.leadingZeroBitCount }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    /// Appends the encoding of `values` (each < 2^bitWidth) to `out`, with no length prefix.
    /// Runs of ≥ 8 equal values at a group boundary become RLE runs; everything else is bit-packed in groups of 8
    /// (the final group is zero-padded).
    static func encode<C: RandomAccessCollection>(_ values: C, bitWidth: Int, into out: inout [UInt8])
    where C.Element == UInt32, C.Index == Int {
        let n = values.count
        let base = values.startIndex
        let byteWidth = (bitWidth + 7) / 8
        var i = 0
        while i < n {
            let v = values[base + i]
            var j = i + 1
            while j < n && values[base + j] == v { j += 1 }
            if j - i >= 8 {
                appendVarint(UInt64(j - i) << 1, to: &out)
                for b in 0..<byteWidth { out.append(UInt8(truncatingIfNeeded: v >> (8 * b))) }
                i = j
                continue
            }
            // Bit-packed run: extend group by group until a run of 8 equal values starts at a group boundary.
            var end = i + 8
            while end < n {
                let w = values[base + end]
                var k = end + 1
                while k < n && k < end + 8 && values[base + k] == w { k += 1 }
                if k - end >= 8 { break }
                end += 8
            }
            let groups = (min(end, n) - i + 7) / 8
            appendVarint(UInt64(groups) << 1 | 1, to: &out)
            // Each group of 8 values is exactly `bitWidth` bytes: grow `out` once for the run and pack into it
            // through a pointer, 32 bits at a time.
            var o = out.count
            out.append(contentsOf: repeatElement(0, count: groups * bitWidth))
            out.withUnsafeMutableBytes { dst in
                var idx = i
                for _ in 0..<groups {
                    var acc: UInt64 = 0
                    var bits = 0
                    for _ in 0..<8 {
                        let x = idx < n ? UInt64(values[base + idx]) : 0
                        idx += 1
                        acc |= x << UInt64(bits)
                        bits += bitWidth
                        if bits >= 32 {
                            dst.storeBytes(of: UInt32(truncatingIfNeeded: acc).littleEndian, toByteOffset: o, as: UInt32.self)
                            o += 4
                            acc >>= 32
                            bits -= 32
                        }
                    }
                    while bits > 0 {  // 8 × bitWidth bits is a whole number of bytes
                        dst[o] = UInt8(truncatingIfNeeded: acc)
                        o += 1
                        acc >>= 8
                        bits -= 8
                    }
                }
            }
            i = min(end, n)
        }
    }

    /// Decodes exactly `count` values from `bytes[start..<end]`. Throws `.corrupt` when data runs out
    /// or the bit width is > 32.
    static func decode(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int, bitWidth: Int, count: Int,
                       into out: inout [UInt32]) throws {
        guard bitWidth >= 0, bitWidth <= 32 else { throw ParquetError.corrupt("RLE bit width \(bitWidth) > 32") }
        guard end <= bytes.count, start <= end else { throw ParquetError.corrupt("RLE data range out of bounds") }
        out.reserveCapacity(out.count + min(count, 1 << 20))  // `count` may come from a corrupt header
        var pos = start
        var produced = 0
        let byteWidth = (bitWidth + 7) / 8
        let mask: UInt64 = bitWidth == 0 ? 0 : (UInt64(1) << UInt64(bitWidth)) - 1
        while produced < count {
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard pos < end else { throw ParquetError.corrupt("RLE data truncated (\(produced) of \(count) values)") }
                let b = bytes[pos]; pos += 1
                guard shift < 64 else { throw ParquetError.corrupt("RLE header varint too long") }
                header |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            if header & 1 == 0 {
                let run = Int(clamping: header >> 1)
                guard end - pos >= byteWidth else { throw ParquetError.corrupt("RLE run value truncated") }
                var v: UInt32 = 0
                for b in 0..<byteWidth { v |= UInt32(bytes[pos + b]) << UInt32(8 * b) }
                pos += byteWidth
                let take = min(run, count - produced)
                out.append(contentsOf: repeatElement(v, count: take))
                produced += take
            } else {
                let groups = Int(clamping: header >> 1)
                let totalValues = groups.multipliedReportingOverflow(by: 8)
                guard !totalValues.overflow else { throw ParquetError.corrupt("RLE bit-packed run too long") }
                let need = groups.multipliedReportingOverflow(by: bitWidth)  // groups*8 values * bitWidth bits / 8
                let needBytes = need.overflow ? Int.max : need.partialValue
                let available = end - pos
                let take = min(totalValues.partialValue, count - produced)
                // Values beyond the available bytes are only allowed if we don't need them.
                let usableBytes = min(needBytes, available)
                guard usableBytes * 8 >= take * bitWidth else { throw ParquetError.corrupt("RLE bit-packed run truncated") }
                var acc: UInt64 = 0
                var bits = 0
                var p = pos
                for _ in 0..<take {
                    while bits < bitWidth {
                        acc |= UInt64(bytes[p]) << UInt64(bits)
                        p += 1
                        bits += 8
                    }
                    out.append(UInt32(truncatingIfNeeded: acc & mask))
                    acc >>= UInt64(bitWidth)
                    bits -= bitWidth
                }
                pos += usableBytes
                produced += take
            }
        }
    }
}
