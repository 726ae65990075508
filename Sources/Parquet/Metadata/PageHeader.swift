/// Page header (parquet.thrift `PageHeader` with `DataPageHeader`, `DictionaryPageHeader`, `DataPageHeaderV2`).
struct PageHeader: Equatable {
    enum Kind: Int32 { case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3 }

    var type: Int32
    var uncompressedSize: Int32
    var compressedSize: Int32
    /// Data page (V1/V2) or dictionary page value count.
    var numValues: Int32 = 0
    var encoding: ParquetEncoding = .plain
    var definitionLevelEncoding: ParquetEncoding = .rle
    var repetitionLevelEncoding: ParquetEncoding = .rle
    // V2 only:
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsByteLength: Int32 = 0
    var repetitionLevelsByteLength: Int32 = 0
    var isCompressed = true

    var kind: Kind? { Kind(rawValue: type) }

    /// Encodes a V1 data page or dictionary page header (the two kinds the writer produces).
    func encode(into w: inout CompactWriter) {
        w.beginStruct()
        w.field(1, i32: type)
        w.field(2, i32: uncompressedSize)
        w.field(3, i32: compressedSize)
        if type == Kind.dataPage.rawValue {
            w.field(5, structure: { w in
                w.field(1, i32: numValues)
                w.field(2, i32: encoding.rawValue)
                w.field(3, i32: definitionLevelEncoding.rawValue)
                w.field(4, i32: repetitionLevelEncoding.rawValue)
            })
        } else if type == Kind.dictionaryPage.rawValue {
            w.field(7, structure: { w in
                w.field(1, i32: numValues)
                w.field(2, i32: encoding.rawValue)
            })
        }
        w.endStruct()
    }

    /// Decodes a page header starting at `r.position`. Throws `.corrupt` when sizes are negative.
    static func decode(_ r: inout CompactReader) throws -> PageHeader {
        var h = PageHeader(type: -1, uncompressedSize: -1, compressedSize: -1)
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32): h.type = try r.readI32()
            case (2, .i32): h.uncompressedSize = try r.readI32()
            case (3, .i32): h.compressedSize = try r.readI32()
            case (5, .structure):
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): h.numValues = try r.readI32()
                    case (2, .i32): h.encoding = ParquetEncoding(rawValue: try r.readI32())
                    case (3, .i32): h.definitionLevelEncoding = ParquetEncoding(rawValue: try r.readI32())
                    case (4, .i32): h.repetitionLevelEncoding = ParquetEncoding(rawValue: try r.readI32())
                    default: try r.skip(t)
                    }
                }
            case (7, .structure):
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): h.numValues = try r.readI32()
                    case (2, .i32): h.encoding = ParquetEncoding(rawValue: try r.readI32())
                    default: try r.skip(t)
                    }
                }
            case (8, .structure):
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): h.numValues = try r.readI32()
                    case (2, .i32): h.numNulls = try r.readI32()
                    case (3, .i32): h.numRows = try r.readI32()
                    case (4, .i32): h.encoding = ParquetEncoding(rawValue: try r.readI32())
                    case (5, .i32): h.definitionLevelsByteLength = try r.readI32()
                    case (6, .i32): h.repetitionLevelsByteLength = try r.readI32()
                    case (7, _): h.isCompressed = try r.readBool()
                    default: try r.skip(t)
                    }
                }
            default: try r.skip(t)
            }
        }
        guard h.uncompressedSize >= 0, h.compressedSize >= 0, h.numValues >= 0, h.type >= 0 else {
            throw ParquetError.corrupt("page header with missing or negative sizes")
        }
        return h
    }
}
