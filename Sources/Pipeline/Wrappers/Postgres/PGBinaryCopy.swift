/// The input of `COPY … FROM STDIN WITH (FORMAT binary)`: PostgreSQL's binary copy format (a signature, then each
/// row as a field count and length-prefixed fields in the types' wire formats, big-endian, then a trailer).
///
/// Rows copied this way skip the per-row work of an `INSERT … SELECT`: the server writes them to the heap a page at
/// a time, and reads each field as it is.
struct PGBinaryCopy {
    /// `PGCOPY\n\377\r\n\0`, then the flags and the header extension's length (both 0).
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// A field count of -1 ends the data.
    static let trailer: [UInt8] = [0xFF, 0xFF]

    private(set) var bytes: [UInt8]

    /// An empty copy with room for `rows` rows of about `rowBytes` bytes each.
    init(reservingRows rows: Int = 0, rowBytes: Int = 0) {
        bytes = Self.header
        bytes.reserveCapacity(Self.header.count + rows * rowBytes + Self.trailer.count)
    }

    /// Starts a row of `fields` fields; each must then be appended in the table's column order.
    mutating func startRow(fields: Int16) { append(fields) }

    /// An `integer` (int4) field.
    mutating func appendField(_ value: Int32) {
        append(Int32(4))
        append(value)
    }

    /// A `bigint` (int8) field.
    mutating func appendField(_ value: Int64) {
        append(Int32(8))
        append(value)
    }

    /// A `uuid` field of 128 bits given as big-endian halves (`high` first, as `uuid_send` writes them).
    mutating func appendUUID(high: UInt64, low: UInt64) {
        append(Int32(16))
        append(high)
        append(low)
    }

    /// The whole input: the rows appended and the trailer.
    var finished: [UInt8] { bytes + Self.trailer }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
