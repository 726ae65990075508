/// PLAIN encoding helpers (parquet-format Encodings.md "Plain"): little-endian fixed-width numbers,
/// booleans bit-packed LSB first, BYTE_ARRAY as 4-byte little-endian length + bytes, FIXED_LEN_BYTE_ARRAY as raw bytes.
enum PlainEncoding {
    @inline(__always)
    static func append<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendByteArray(_ p: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        append(UInt32(p.count), to: &out)
        out.append(contentsOf: p)
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
