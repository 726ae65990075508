/// Decodes `FileMetaData` (Thrift compact) into `ParquetFileMetadata`, validating what the reader relies on.
/// Throws `ParquetError.corrupt` for malformed data and `.unsupported` for nested schemas.
enum MetadataDecoder {
    private struct RawElement {
        var type: Int32?
        var typeLength: Int32?
        var repetition: Int32?
        var name = ""
        var numChildren: Int32?
        var convertedType: Int32?
        var scale: Int32?
        var precision: Int32?
        var logical: LogicalType?
        var fieldID: Int32?
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> ParquetFileMetadata {
        var r = CompactReader(bytes, context: "footer")
        var version: Int32 = 0
        var elements: [RawElement] = []
        var numRows: Int64?
        var rowGroups: [RowGroupMetadata] = []
        var kvs: [ParquetKeyValue] = []
        var createdBy: String?
        var hasOrder = false
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32): version = try r.readI32()
            case (2, .list): elements = try r.readList { r in try decodeElement(&r) }
            case (3, .i64): numRows = try r.readI64()
            case (4, .list): rowGroups = try r.readList { r in try decodeRowGroup(&r) }
            case (5, .list): kvs = try r.readList { r in try decodeKeyValue(&r) }
            case (6, .binary): createdBy = try r.readString()
            case (7, .list):
                let orders = try r.readList { r -> Bool in
                    var isType = false
                    try r.readStruct { r, id, t in if id == 1 { isType = true }; try r.skip(t) }
                    return isType
                }
                hasOrder = !orders.isEmpty && orders.allSatisfy { $0 }
            default: try r.skip(t)
            }
        }
        guard let numRows else { throw ParquetError.corrupt("footer: missing num_rows") }
        let schema = try buildSchema(elements)
        for (i, rg) in rowGroups.enumerated() where rg.columns.count != schema.columns.count {
            throw ParquetError.corrupt("footer: row group \(i) has \(rg.columns.count) column chunks, schema has \(schema.columns.count)")
        }
        return ParquetFileMetadata(version: version, schema: schema, numRows: numRows, rowGroups: rowGroups,
                                   keyValueMetadata: kvs, createdBy: createdBy, hasTypeDefinedColumnOrder: hasOrder)
    }

    private static func decodeElement(_ r: inout CompactReader) throws -> RawElement {
        var e = RawElement()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32): e.type = try r.readI32()
            case (2, .i32): e.typeLength = try r.readI32()
            case (3, .i32): e.repetition = try r.readI32()
            case (4, .binary): e.name = try r.readString()
            case (5, .i32): e.numChildren = try r.readI32()
            case (6, .i32): e.convertedType = try r.readI32()
            case (7, .i32): e.scale = try r.readI32()
            case (8, .i32): e.precision = try r.readI32()
            case (9, .i32): e.fieldID = try r.readI32()
            case (10, .structure): e.logical = try decodeLogicalType(&r)
            default: try r.skip(t)
            }
        }
        return e
    }

    private static func decodeLogicalType(_ r: inout CompactReader) throws -> LogicalType? {
        var result: LogicalType?
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .structure): try r.skip(t); result = .string
            case (12, .structure): try r.skip(t); result = .json
            case (6, .structure): try r.skip(t); result = .date
            case (5, .structure):
                var p: Int32 = 0, s: Int32 = 0
                try r.readStruct { r, id, t in
                    if id == 1, t == .i32 { s = try r.readI32() } else if id == 2, t == .i32 { p = try r.readI32() } else { try r.skip(t) }
                }
                result = .decimal(precision: Int(p), scale: Int(s))
            case (8, .structure):
                var utc = false
                var unit: TimeUnit?
                try r.readStruct { r, id, t in
                    if id == 1 { utc = try r.readBool() } else if id == 2, t == .structure {
                        try r.readStruct { r, id, t in
                            if id == 1 { unit = .millis } else if id == 2 { unit = .micros }
                            try r.skip(t)
                        }
                    } else { try r.skip(t) }
                }
                if let unit { result = .timestamp(unit: unit, isAdjustedToUTC: utc) }
            case (10, .structure):
                var bits: Int = 0, signed = true
                try r.readStruct { r, id, t in
                    if id == 1, t == .byte { bits = Int(Int8(bitPattern: try r.readByte())) } else if id == 2 { signed = try r.readBool() } else { try r.skip(t) }
                }
                result = .integer(bitWidth: bits, signed: signed)
            default: try r.skip(t)  // other logical types: fall back to converted/physical type
            }
        }
        return result
    }

    private static func legacyLogical(_ e: RawElement) -> LogicalType? {
        switch e.convertedType {
        case 0?: return .string
        case 19?: return .json
        case 6?: return .date
        case 5?: return .decimal(precision: Int(e.precision ?? 0), scale: Int(e.scale ?? 0))
        case 9?: return .timestamp(unit: .millis, isAdjustedToUTC: true)
        case 10?: return .timestamp(unit: .micros, isAdjustedToUTC: true)
        case let c? where (11...18).contains(c):
            let bits = [8, 16, 32, 64][Int(c - 11) % 4]
            return .integer(bitWidth: bits, signed: c >= 15)
        default: return nil
        }
    }

    private static func buildSchema(_ elements: [RawElement]) throws -> ParquetSchema {
        guard let root = elements.first else { throw ParquetError.corrupt("footer: empty schema") }
        let leaves = elements.dropFirst()
        guard Int(root.numChildren ?? 0) == leaves.count else {
            throw ParquetError.unsupported("nested schema (root has \(root.numChildren ?? 0) children, \(leaves.count) elements)")
        }
        var columns: [ColumnDescriptor] = []
        for e in leaves {
            if let n = e.numChildren, n > 0 { throw ParquetError.unsupported("nested group column '\(e.name)'") }
            let physical: PhysicalType
            switch e.type {
            case 0?: physical = .boolean
            case 1?: physical = .int32
            case 2?: physical = .int64
            case 4?: physical = .float
            case 5?: physical = .double
            case 6?: physical = .byteArray
            case 7?:
                guard let n = e.typeLength, n > 0 else { throw ParquetError.corrupt("footer: column '\(e.name)' FIXED_LEN_BYTE_ARRAY without type_length") }
                physical = .fixedLenByteArray(length: Int(n))
            case 3?: throw ParquetError.unsupported("INT96 column '\(e.name)'")
            default: throw ParquetError.corrupt("footer: column '\(e.name)' has invalid physical type \(e.type.map(String.init) ?? "nil")")
            }
            let repetition: Repetition
            switch e.repetition ?? 0 {
            case 0: repetition = .required
            case 1: repetition = .optional
            default: throw ParquetError.unsupported("repeated column '\(e.name)'")
            }
            columns.append(ColumnDescriptor(name: e.name, physicalType: physical, logicalType: e.logical ?? legacyLogical(e), repetition: repetition,
                                            fieldID: e.fieldID))
        }
        return ParquetSchema(columns: columns)
    }

    private static func decodeKeyValue(_ r: inout CompactReader) throws -> ParquetKeyValue {
        var kv = ParquetKeyValue(key: "", value: nil)
        try r.readStruct { r, id, t in
            if id == 1, t == .binary { kv.key = try r.readString() } else if id == 2, t == .binary { kv.value = try r.readString() } else { try r.skip(t) }
        }
        return kv
    }

    private static func decodeRowGroup(_ r: inout CompactReader) throws -> RowGroupMetadata {
        var rg = RowGroupMetadata(columns: [], totalByteSize: 0, numRows: 0)
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .list): rg.columns = try r.readList { r in try decodeColumnChunk(&r) }
            case (2, .i64): rg.totalByteSize = try r.readI64()
            case (3, .i64): rg.numRows = try r.readI64()
            default: try r.skip(t)
            }
        }
        return rg
    }

    private static func decodeColumnChunk(_ r: inout CompactReader) throws -> ColumnChunkMetadata {
        var c = ColumnChunkMetadata(path: [], physicalTypeValue: -1, codec: nil, codecValue: -1, encodings: [], numValues: 0,
                                    totalUncompressedSize: 0, totalCompressedSize: 0, dataPageOffset: -1, dictionaryPageOffset: nil, statistics: nil)
        var hasMeta = false
        try r.readStruct { r, id, t in
            if id == 1, t == .binary { throw ParquetError.unsupported("column chunk in external file \(try r.readString())") }
            guard id == 3, t == .structure else { try r.skip(t); return }
            hasMeta = true
            try r.readStruct { r, id, t in
                switch (id, t) {
                case (1, .i32): c.physicalTypeValue = try r.readI32()
                case (2, .list): c.encodings = try r.readList { r in ParquetEncoding(rawValue: try r.readI32()) }
                case (3, .list): c.path = try r.readList { r in try r.readString() }
                case (4, .i32): c.codecValue = try r.readI32(); c.codec = CompressionCodec(thriftValue: c.codecValue)
                case (5, .i64): c.numValues = try r.readI64()
                case (6, .i64): c.totalUncompressedSize = try r.readI64()
                case (7, .i64): c.totalCompressedSize = try r.readI64()
                case (9, .i64): c.dataPageOffset = try r.readI64()
                case (11, .i64): c.dictionaryPageOffset = try r.readI64()
                case (12, .structure): c.statistics = try decodeStatistics(&r)
                default: try r.skip(t)
                }
            }
        }
        guard hasMeta else { throw ParquetError.corrupt("footer: column chunk without meta_data") }
        return c
    }

    static func decodeStatistics(_ r: inout CompactReader) throws -> ColumnStatistics {
        var s = ColumnStatistics()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .binary): s.legacyMax = try r.readBinary()
            case (2, .binary): s.legacyMin = try r.readBinary()
            case (3, .i64): s.nullCount = try r.readI64()
            case (4, .i64): s.distinctCount = try r.readI64()
            case (5, .binary): s.maxValue = try r.readBinary()
            case (6, .binary): s.minValue = try r.readBinary()
            default: try r.skip(t)
            }
        }
        return s
    }
}
