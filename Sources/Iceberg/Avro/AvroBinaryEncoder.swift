/// Avro's binary encoding (specification, "Binary Encoding"): zigzag variable-length integers, little-endian
/// floats, length-prefixed bytes and strings, arrays as blocks ending in an empty block, unions as a branch index
/// followed by the value.
public struct AvroBinaryEncoder: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Appends `value` encoded as `schema`.
    /// - Throws: `AvroError` when the value does not match the schema (the message names the field path).
    public mutating func encode(_ value: AvroValue, as schema: AvroSchema, path: String = "$") throws {
        switch (schema, value) {
        case (.null, .null): break
        case (.boolean, .boolean(let b)): bytes.append(b ? 1 : 0)
        case (.int, .int(let v)), (.date, .int(let v)): appendLong(Int64(v))
        case (.long, .long(let v)): appendLong(v)
        case (.float, .float(let v)): appendLittleEndian(UInt64(v.bitPattern), count: 4)
        case (.double, .double(let v)): appendLittleEndian(v.bitPattern, count: 8)
        case (.bytes, .bytes(let b)): appendBytes(b)
        case (.string, .string(let s)): appendBytes(Array(s.utf8))
        case (.fixed(let name, let size), .fixed(let b)):
            guard b.count == size else { throw AvroError("\(path): fixed \(name) needs \(size) bytes, got \(b.count)") }
            bytes.append(contentsOf: b)
        case (.record(let name, let fields), .record(let values)):
            guard fields.count == values.count else {
                throw AvroError("\(path): record \(name) has \(fields.count) fields, got \(values.count) values")
            }
            for (field, v) in zip(fields, values) { try encode(v, as: field.type, path: path + "." + field.name) }
        case (.array(let items, _), .array(let values)):
            if !values.isEmpty {
                appendLong(Int64(values.count))
                for (i, v) in values.enumerated() { try encode(v, as: items, path: path + "[\(i)]") }
            }
            appendLong(0)
        case (.keyValueMap(_, let keySchema, _, let valueSchema, _), .pairs(let pairs)):
            if !pairs.isEmpty {
                appendLong(Int64(pairs.count))
                for (i, (k, v)) in pairs.enumerated() {
                    try encode(k, as: keySchema, path: path + "[\(i)].key")
                    try encode(v, as: valueSchema, path: path + "[\(i)].value")
                }
            }
            appendLong(0)
        case (.union(let branches), .union(let index, let v)):
            guard branches.indices.contains(index) else { throw AvroError("\(path): union has no branch \(index)") }
            appendLong(Int64(index))
            try encode(v, as: branches[index], path: path)
        default:
            throw AvroError("\(path): value \(value) does not match schema \(schema.json)")
        }
    }

    /// Appends a zigzag varint.
    public mutating func appendLong(_ v: Int64) {
        var n = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while n >= 0x80 {
            bytes.append(UInt8(n & 0x7f) | 0x80)
            n >>= 7
        }
        bytes.append(UInt8(n))
    }

    /// Appends a length-prefixed byte sequence (Avro `bytes` and `string`).
    public mutating func appendBytes(_ b: [UInt8]) {
        appendLong(Int64(b.count))
        bytes.append(contentsOf: b)
    }

    /// Appends raw bytes.
    public mutating func appendRaw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    private mutating func appendLittleEndian(_ v: UInt64, count: Int) {
        for i in 0..<count { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}
