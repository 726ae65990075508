/// Thrift compact-protocol encoder (Thrift spec "compact protocol": ULEB128 varints, zigzag ints,
/// field-id deltas in the field header, booleans folded into the field header, short list headers).
///
/// Usage: `beginStruct()` … `field(…)` … `endStruct()`; nested structs push/pop the last field id.
/// Pure: writes into `bytes`, no I/O.
struct CompactWriter {
    /// Compact type nibbles.
    enum CType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6
        case double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    var bytes: [UInt8] = []
    private var lastFieldId: Int16 = 0
    private var stack: [Int16] = []

    init() { bytes.reserveCapacity(256) }

    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    mutating func writeI32(_ v: Int32) { writeVarint(Self.zigzag(Int64(v))) }
    mutating func writeI64(_ v: Int64) { writeVarint(Self.zigzag(v)) }

    mutating func writeBinary(_ b: [UInt8]) {
        writeVarint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    mutating func writeString(_ s: String) { writeBinary(Array(s.utf8)) }

    /// Field header: delta-encoded when 1...15, otherwise type byte + zigzag i16 id.
    mutating func writeFieldHeader(_ id: Int16, _ type: CType) {
        let delta = Int(id) - Int(lastFieldId)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta << 4) | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeVarint(Self.zigzag(Int64(id)))
        }
        lastFieldId = id
    }

    /// List header: size in the high nibble when < 15, else 0xF + varint size.
    mutating func writeListHeader(_ elementType: CType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count << 4) | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    mutating func beginStruct() {
        stack.append(lastFieldId)
        lastFieldId = 0
    }

    mutating func endStruct() {
        bytes.append(CType.stop.rawValue)
        lastFieldId = stack.popLast() ?? 0
    }

    // MARK: typed fields

    mutating func field(_ id: Int16, i32 v: Int32) { writeFieldHeader(id, .i32); writeI32(v) }
    mutating func field(_ id: Int16, i64 v: Int64) { writeFieldHeader(id, .i64); writeI64(v) }
    mutating func field(_ id: Int16, i8 v: Int8) { writeFieldHeader(id, .byte); bytes.append(UInt8(bitPattern: v)) }
    mutating func field(_ id: Int16, bool v: Bool) { writeFieldHeader(id, v ? .boolTrue : .boolFalse) }
    mutating func field(_ id: Int16, binary v: [UInt8]) { writeFieldHeader(id, .binary); writeBinary(v) }
    mutating func field(_ id: Int16, string v: String) { writeFieldHeader(id, .binary); writeString(v) }

    /// Struct-valued field; `body` writes the nested fields (stop byte added automatically).
    mutating func field(_ id: Int16, structure body: (inout CompactWriter) -> Void) {
        writeFieldHeader(id, .structure)
        beginStruct()
        body(&self)
        endStruct()
    }

    /// list<i32> field.
    mutating func field(_ id: Int16, i32List v: [Int32]) {
        writeFieldHeader(id, .list)
        writeListHeader(.i32, count: v.count)
        for x in v { writeI32(x) }
    }

    /// list<string> field.
    mutating func field(_ id: Int16, stringList v: [String]) {
        writeFieldHeader(id, .list)
        writeListHeader(.binary, count: v.count)
        for x in v { writeString(x) }
    }

    /// list<struct> field; `element` writes one element's fields.
    mutating func field<T>(_ id: Int16, structList v: [T], element: (inout CompactWriter, T) -> Void) {
        writeFieldHeader(id, .list)
        writeListHeader(.structure, count: v.count)
        for x in v {
            beginStruct()
            element(&self, x)
            endStruct()
        }
    }
}
