/// One parameter of a statement (`$1`, `$2`, …) as libpq sends it: text (nil is SQL NULL), or binary in the
/// type's wire format (`PGBinaryArray`), which the server reads without parsing text.
enum PGParameter {
    case text(String?)
    case binary([UInt8])
}

/// Arrays in PostgreSQL's binary wire format (what `array_recv` reads), for a whole list as one parameter.
///
/// A list of 100,000 keys travels as 2 MB of bytes the server copies as they are, rather than 3.3 MB of text it
/// parses digit by digit (`PGArrayLiteral`).
enum PGBinaryArray {
    /// The type OID of `uuid` (`pg_type.oid`, fixed since PostgreSQL 8.3).
    static let uuidOID: UInt32 = 2950

    /// A one-dimensional `uuid[]` of 128-bit values given as big-endian halves (`high` first), without NULLs.
    /// An empty list is the empty array.
    static func uuids<C: Collection>(_ values: C) -> [UInt8] where C.Element == (high: UInt64, low: UInt64) {
        var out: [UInt8] = []
        out.reserveCapacity(20 + 20 * values.count)
        append(Int32(values.isEmpty ? 0 : 1), to: &out)  // dimensions
        append(Int32(0), to: &out)                        // flags: no NULLs
        append(uuidOID, to: &out)
        guard !values.isEmpty else { return out }
        append(Int32(values.count), to: &out)             // length of the dimension
        append(Int32(1), to: &out)                        // its lower bound
        for value in values {
            append(Int32(16), to: &out)
            append(value.high, to: &out)
            append(value.low, to: &out)
        }
        return out
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }
}
