/// Thrift compact-protocol decoder over a byte buffer. Every read is bounds-checked and throws
/// `ParquetError.corrupt` on truncation or malformed data; unknown fields are skipped (`skip(_:)`).
struct CompactReader {
    typealias CType = CompactWriter.CType

    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    private var lastFieldId: Int16 = 0
    private var stack: [Int16] = []
    private var depth = 0
    /// Pending boolean value carried in a field header.
    private var pendingBool: Bool?
    let context: String

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0, context: String) {
        self.bytes = bytes
        self.position = position
        self.context = context
    }

    private func fail(_ what: String) -> ParquetError {
        .corrupt("\(context): \(what) at byte \(position)")
    }

    mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw fail("unexpected end of Thrift data") }
        let b = bytes[position]
        position += 1
        return b
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift >= 64 { throw fail("varint too long") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }

    mutating func readI64() throws -> Int64 { Self.unzigzag(try readVarint()) }

    mutating func readI32() throws -> Int32 {
        let v = try readI64()
        guard let r = Int32(exactly: v) else { throw fail("i32 out of range") }
        return r
    }

    mutating func readBinary() throws -> [UInt8] {
        let n = try readVarint()
        guard n <= UInt64(bytes.count - position) else { throw fail("binary length \(n) exceeds data") }
        let start = position
        position += Int(n)
        return Array(bytes[start..<position])
    }

    mutating func readString() throws -> String { String(decoding: try readBinary(), as: UTF8.self) }

    mutating func readBool() throws -> Bool {
        if let b = pendingBool { pendingBool = nil; return b }
        return try readByte() == 1  // bool inside a list: one byte
    }

    /// Returns nil at the struct's stop byte.
    mutating func readFieldHeader() throws -> (id: Int16, type: CType)? {
        let b = try readByte()
        if b == 0 { return nil }
        guard let type = CType(rawValue: b & 0x0F) else { throw fail("bad compact type \(b & 0x0F)") }
        let delta = b >> 4
        let id: Int16
        if delta != 0 {
            id = lastFieldId &+ Int16(delta)
        } else {
            let raw = Self.unzigzag(try readVarint())
            guard let i = Int16(exactly: raw) else { throw fail("bad field id") }
            id = i
        }
        lastFieldId = id
        if type == .boolTrue { pendingBool = true } else if type == .boolFalse { pendingBool = false }
        return (id, type)
    }

    mutating func readListHeader() throws -> (type: CType, count: Int) {
        let b = try readByte()
        guard let type = CType(rawValue: b & 0x0F) else { throw fail("bad list element type") }
        var n = UInt64(b >> 4)
        if n == 15 { n = try readVarint() }
        guard n <= UInt64(bytes.count - position) else { throw fail("list size \(n) exceeds data") }
        return (type, Int(n))
    }

    mutating func beginStruct() throws {
        depth += 1
        guard depth < 64 else { throw fail("structs nested too deeply") }
        stack.append(lastFieldId)
        lastFieldId = 0
    }

    mutating func endStruct() {
        depth -= 1
        lastFieldId = stack.popLast() ?? 0
    }

    /// Reads a struct: calls `body` for each field; `body` must consume the value or call `skip`.
    mutating func readStruct(_ body: (inout CompactReader, Int16, CType) throws -> Void) throws {
        try beginStruct()
        while let (id, type) = try readFieldHeader() {
            try body(&self, id, type)
            pendingBool = nil
        }
        endStruct()
    }

    mutating func readList<T>(_ element: (inout CompactReader) throws -> T) throws -> [T] {
        let (_, n) = try readListHeader()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }

    /// Skips a value of the given type (including nested containers).
    mutating func skip(_ type: CType) throws {
        switch type {
        case .stop: break
        case .boolTrue, .boolFalse: pendingBool = nil
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double:
            guard bytes.count - position >= 8 else { throw fail("truncated double") }
            position += 8
        case .binary: _ = try readBinary()
        case .list, .set:
            let (et, n) = try readListHeader()
            for _ in 0..<n {
                if et == .boolTrue || et == .boolFalse { _ = try readByte() } else { try skip(et) }
            }
        case .map:
            let n = try readVarint()
            if n == 0 { return }
            guard n <= UInt64(bytes.count - position) else { throw fail("map size exceeds data") }
            let kv = try readByte()
            guard let kt = CType(rawValue: kv >> 4), let vt = CType(rawValue: kv & 0x0F) else { throw fail("bad map types") }
            for _ in 0..<n {
                if kt == .boolTrue || kt == .boolFalse { _ = try readByte() } else { try skip(kt) }
                if vt == .boolTrue || vt == .boolFalse { _ = try readByte() } else { try skip(vt) }
            }
        case .structure:
            try readStruct { r, _, t in try r.skip(t) }
        }
    }
}
