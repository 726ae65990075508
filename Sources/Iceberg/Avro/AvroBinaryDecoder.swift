/// Decodes Avro's binary encoding with a known schema (the inverse of `AvroBinaryEncoder`).
public struct AvroBinaryDecoder: Sendable {
    private let input: [UInt8]
    private var position = 0

    public init(_ input: [UInt8]) { self.input = input }

    public var atEnd: Bool { position >= input.count }

    /// Reads one value of `schema`.
    /// - Throws: `AvroError` on truncated or malformed input.
    public mutating func decode(_ schema: AvroSchema) throws -> AvroValue {
        switch schema {
        case .null: return .null
        case .boolean: return .boolean(try raw(1)[0] != 0)
        case .int, .date: return .int(Int32(truncatingIfNeeded: try long()))
        case .long: return .long(try long())
        case .float: return .float(Float(bitPattern: UInt32(truncatingIfNeeded: try littleEndian(4))))
        case .double: return .double(Double(bitPattern: try littleEndian(8)))
        case .bytes: return .bytes(try bytes())
        case .string: return .string(String(decoding: try bytes(), as: UTF8.self))
        case .fixed(_, let size): return .fixed(try raw(size))
        case .record(_, let fields): return .record(try fields.map { try decode($0.type) })
        case .array(let items, _):
            var values: [AvroValue] = []
            while let count = try nextBlock() {
                for _ in 0..<count { values.append(try decode(items)) }
            }
            return .array(values)
        case .keyValueMap(_, let key, _, let value, _):
            var pairs: [(AvroValue, AvroValue)] = []
            while let count = try nextBlock() {
                for _ in 0..<count { pairs.append((try decode(key), try decode(value))) }
            }
            return .pairs(pairs)
        case .union(let branches):
            let index = Int(try long())
            guard branches.indices.contains(index) else { throw AvroError("union branch \(index) out of range") }
            return .union(index, try decode(branches[index]))
        }
    }

    /// The item count of the next array block; nil at the empty block that ends the array. A negative count is
    /// followed by the block's size in bytes, which is skipped.
    private mutating func nextBlock() throws -> Int64? {
        var count = try long()
        if count == 0 { return nil }
        if count < 0 { count = -count; _ = try long() }
        return count
    }

    mutating func long() throws -> Int64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < input.count, shift < 64 else { throw AvroError("truncated or overlong varint") }
            let byte = input[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1)
    }

    mutating func bytes() throws -> [UInt8] {
        let n = try long()
        guard n >= 0 else { throw AvroError("negative length") }
        return try raw(Int(n))
    }

    mutating func raw(_ n: Int) throws -> [UInt8] {
        guard n >= 0, position + n <= input.count else { throw AvroError("truncated input") }
        defer { position += n }
        return Array(input[position..<(position + n)])
    }

    private mutating func littleEndian(_ n: Int) throws -> UInt64 {
        try raw(n).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}
