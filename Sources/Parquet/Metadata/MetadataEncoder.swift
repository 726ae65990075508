/// Serialises `FileMetaData` with the Thrift compact protocol (parquet.thrift field ids).
enum MetadataEncoder {
    static func encodeLogicalType(_ lt: LogicalType, _ w: inout CompactWriter) {
        switch lt {
        case .string: w.field(1, structure: { _ in })
        case .decimal(let p, let s):
            w.field(5, structure: { w in w.field(1, i32: Int32(s)); w.field(2, i32: Int32(p)) })
        case .date: w.field(6, structure: { _ in })
        case .timestamp(let unit, let utc):
            w.field(8, structure: { w in
                w.field(1, bool: utc)
                w.field(2, structure: { w in w.field(unit == .millis ? 1 : 2, structure: { _ in }) })
            })
        case .integer(let bits, let signed):
            w.field(10, structure: { w in w.field(1, i8: Int8(truncatingIfNeeded: bits)); w.field(2, bool: signed) })
        case .json: w.field(12, structure: { _ in })
        }
    }

    static func encodeSchemaElement(_ c: ColumnDescriptor, _ w: inout CompactWriter) {
        w.field(1, i32: c.physicalType.thriftValue)
        if case .fixedLenByteArray(let n) = c.physicalType { w.field(2, i32: Int32(n)) }
        w.field(3, i32: c.repetition == .required ? 0 : 1)
        w.field(4, string: c.name)
        if let lt = c.logicalType {
            if let ct = lt.convertedType { w.field(6, i32: ct) }
            if case .decimal(let p, let s) = lt {
                w.field(7, i32: Int32(s))
                w.field(8, i32: Int32(p))
            }
        }
        if let id = c.fieldID { w.field(9, i32: id) }
        if let lt = c.logicalType {
            w.field(10, structure: { w in encodeLogicalType(lt, &w) })
        }
    }

    static func encodeStatistics(_ s: ColumnStatistics, _ w: inout CompactWriter) {
        if let v = s.legacyMax { w.field(1, binary: v) }
        if let v = s.legacyMin { w.field(2, binary: v) }
        if let v = s.nullCount { w.field(3, i64: v) }
        if let v = s.distinctCount { w.field(4, i64: v) }
        if let v = s.maxValue { w.field(5, binary: v) }
        if let v = s.minValue { w.field(6, binary: v) }
    }

    static func encodeColumnChunk(_ c: ColumnChunkMetadata, _ w: inout CompactWriter) {
        w.field(2, i64: c.dictionaryPageOffset ?? c.dataPageOffset)  // file_offset (deprecated; first page)
        w.field(3, structure: { w in
            w.field(1, i32: c.physicalTypeValue)
            w.field(2, i32List: c.encodings.map(\.rawValue))
            w.field(3, stringList: c.path)
            w.field(4, i32: c.codecValue)
            w.field(5, i64: c.numValues)
            w.field(6, i64: c.totalUncompressedSize)
            w.field(7, i64: c.totalCompressedSize)
            w.field(9, i64: c.dataPageOffset)
            if let d = c.dictionaryPageOffset { w.field(11, i64: d) }
            if let s = c.statistics { w.field(12, structure: { w in encodeStatistics(s, &w) }) }
        })
    }

    /// Encodes the complete footer struct.
    static func encode(_ m: ParquetFileMetadata) -> [UInt8] {
        var w = CompactWriter()
        w.beginStruct()
        w.field(1, i32: m.version)
        let root = ColumnDescriptor(name: "schema", physicalType: .boolean, repetition: .required)
        w.field(2, structList: [nil] + m.schema.columns.map { Optional($0) }) { w, col in
            if let col { encodeSchemaElement(col, &w) } else {
                w.field(4, string: root.name)
                w.field(5, i32: Int32(m.schema.columns.count))
            }
        }
        w.field(3, i64: m.numRows)
        w.field(4, structList: m.rowGroups) { w, rg in
            w.field(1, structList: rg.columns) { w, c in encodeColumnChunk(c, &w) }
            w.field(2, i64: rg.totalByteSize)
            w.field(3, i64: rg.numRows)
            if let first = rg.columns.first { w.field(5, i64: first.dictionaryPageOffset ?? first.dataPageOffset) }
            w.field(6, i64: rg.columns.reduce(0) { $0 + $1.totalCompressedSize })
        }
        if !m.keyValueMetadata.isEmpty {
            w.field(5, structList: m.keyValueMetadata) { w, kv in
                w.field(1, string: kv.key)
                if let v = kv.value { w.field(2, string: v) }
            }
        }
        if let cb = m.createdBy { w.field(6, string: cb) }
        if m.hasTypeDefinedColumnOrder {
            w.field(7, structList: m.schema.columns) { w, _ in w.field(1, structure: { _ in }) }
        }
        w.endStruct()
        return w.bytes
    }
}
