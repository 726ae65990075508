/// PLAIN encoding helpers (parquet-format Encodings.md "Plain"): little-endian fixed-width numbers,
/// booleans bit-packed LSB first, BYTE_ARRAY as 4-byte little-endian length + bytes, FIXED_LEN_BYTE_ARRAY as raw bytes.
enum PlainEncoding {
    @inline(__always)
    static func append<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { appendBytes($0, to: &out) }
    }

    @inline(__always)
    static func appendByteArray(_ p: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        if p.count <= 60 {
            // Short values (ids, names): length + bytes staged on the stack, one append instead of two.
            var staged: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &staged) { t in
                t.storeBytes(of: UInt32(p.count).littleEndian, as: UInt32.self)
                if p.count > 0 { (t.baseAddress! + 4).copyMemory(from: p.baseAddress!, byteCount: p.count) }
                out.append(contentsOf: UnsafeBufferPointer(start: t.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 4 + p.count))
            }
            return
        }
        append(UInt32(p.count), to: &out)
        appendBytes(p, to: &out)
    }

    /// memcpy-speed append of raw bytes (the generic `append(contentsOf:)` iterates byte by byte).
    @inline(__always)
    static func appendBytes(_ p: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: p.baseAddress?.assumingMemoryBound(to: UInt8.self), count: p.count))
    }

    /// Bit-packs booleans LSB-first into ceil(n/8) bytes.
    static func appendBooleans<C: Collection>(_ values: C, to out: inout [UInt8]) where C.Element == Bool {
        var byte: UInt8 = 0
        var bit = 0
        for v in values {
            if v { byte |= 1 << UInt8(bit) }
            bit += 1
            if bit == 8 { out.append(byte); byte = 0; bit = 0 }
        }
        if bit > 0 { out.append(byte) }
    }

    /// Reads a little-endian fixed-width value at `offset` (caller bounds-checks).
    @inline(__always)
    static func load<T: FixedWidthInteger>(_ type: T.Type, _ p: UnsafeRawBufferPointer, _ offset: Int) -> T {
        T(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
