/// Decodes one column chunk: walks its pages (dictionary, data page V1/V2), decompresses them and
/// decodes definition levels (RLE hybrid) and values (PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY, RLE booleans).
/// All offsets are validated against the file; problems throw `ParquetError.corrupt`/`.unsupported`.
struct ColumnChunkReader {
    let file: UnsafeRawBufferPointer
    let column: ColumnDescriptor
    let meta: ColumnChunkMetadata
    let rowCount: Int
    let context: String

    func read() throws -> ColumnValues {
        guard let codec = meta.codec else { throw ParquetError.unsupported("\(context): compression codec \(meta.codecValue)") }
        guard meta.physicalTypeValue == column.physicalType.thriftValue else {
            throw ParquetError.corrupt("\(context): chunk physical type \(meta.physicalTypeValue) does not match schema")
        }
        guard meta.numValues == Int64(rowCount) else {
            throw ParquetError.corrupt("\(context): chunk has \(meta.numValues) values, row group has \(rowCount) rows")
        }
        var start = meta.dataPageOffset
        if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
        let fileLimit = Int64(file.count) - 8  // footer length + magic
        let (endRaw, overflow) = start.addingReportingOverflow(meta.totalCompressedSize)
        guard start >= 4, meta.totalCompressedSize >= 0, !overflow, endRaw <= fileLimit else {
            throw ParquetError.corrupt("\(context): chunk byte range \(start)+\(meta.totalCompressedSize) outside the file (\(file.count) bytes)")
        }
        let end = Int(endRaw)
        var pos = Int(start)
        let values = ValueAccumulator(physical: column.physicalType, context: context)
        var dictionary: ValueAccumulator?
        var present: [Bool]? = column.isOptional ? [] : nil
        var levelsRead = 0
        let chunkFile = UnsafeRawBufferPointer(rebasing: file[0..<end])
        while levelsRead < rowCount {
            guard pos < end else { throw ParquetError.corrupt("\(context): pages end after \(levelsRead) of \(rowCount) values") }
            var r = CompactReader(chunkFile, position: pos, context: "\(context) page header")
            let header = try PageHeader.decode(&r)
            pos = r.position
            let size = Int(header.compressedSize)
            guard size <= end - pos else { throw ParquetError.corrupt("\(context): page of \(size) bytes runs past the column chunk") }
            let pageBytes = UnsafeRawBufferPointer(rebasing: chunkFile[pos..<(pos + size)])
            pos += size
            switch header.kind {
            case .dictionaryPage?:
                guard header.encoding == .plain || header.encoding == .plainDictionary else {
                    throw ParquetError.unsupported("\(context): dictionary page encoding \(header.encoding)")
                }
                let body = try PageCompressor.decompress(codec: codec, pageBytes, uncompressedSize: Int(header.uncompressedSize))
                let dict = ValueAccumulator(physical: column.physicalType, context: context + " dictionary")
                try body.withUnsafeBytes { try dict.appendPlain($0, start: 0, end: $0.count, count: Int(header.numValues)) }
                dictionary = dict
            case .dataPage?, .dataPageV2?:
                let n = Int(header.numValues)
                guard n <= rowCount - levelsRead else { throw ParquetError.corrupt("\(context): pages hold more values than the row group") }
                try readDataPage(header, pageBytes, codec: codec, dictionary: dictionary, values: values, present: &present)
                levelsRead += n
            case .indexPage?, nil:
                continue
            }
        }
        return values.build(present: present, asString: column.logicalType == .string || column.logicalType == .json)
    }

    private func readDataPage(_ h: PageHeader, _ raw: UnsafeRawBufferPointer, codec: CompressionCodec,
                              dictionary: ValueAccumulator?, values: ValueAccumulator, present: inout [Bool]?) throws {
        let n = Int(h.numValues)
        var body: [UInt8]
        var levelsEnd = 0  // for V2: levels are stored uncompressed before the values
        if h.kind == .dataPageV2 {
            let defLen = Int(h.definitionLevelsByteLength), repLen = Int(h.repetitionLevelsByteLength)
            guard defLen >= 0, repLen == 0, defLen <= raw.count else {
                throw ParquetError.corrupt("\(context): V2 page level lengths invalid (def \(defLen), rep \(repLen))")
            }
            let valuesRaw = UnsafeRawBufferPointer(rebasing: raw[defLen...])
            let valuesSize = Int(h.uncompressedSize) - defLen
            guard valuesSize >= 0 else { throw ParquetError.corrupt("\(context): V2 page sizes inconsistent") }
            body = Array(raw[0..<defLen])
            if h.isCompressed {
                body += try PageCompressor.decompress(codec: codec, valuesRaw, uncompressedSize: valuesSize)
            } else {
                body += Array(valuesRaw)
            }
            levelsEnd = defLen
        } else {
            body = try PageCompressor.decompress(codec: codec, raw, uncompressedSize: Int(h.uncompressedSize))
        }
        try body.withUnsafeBytes { p in
            var pos = 0
            var nonNull = n
            if present != nil {
                var levels: [UInt32] = []
                if h.kind == .dataPageV2 {
                    try RLEHybrid.decode(p, start: 0, end: levelsEnd, bitWidth: 1, count: n, into: &levels)
                    pos = levelsEnd
                } else {
                    guard h.definitionLevelEncoding == .rle else {
                        throw ParquetError.unsupported("\(context): definition level encoding \(h.definitionLevelEncoding)")
                    }
                    guard p.count >= 4 else { throw ParquetError.corrupt("\(context): page too short for definition levels") }
                    let len = Int(PlainEncoding.load(UInt32.self, p, 0))
                    guard len <= p.count - 4 else { throw ParquetError.corrupt("\(context): definition levels length \(len) exceeds page") }
                    try RLEHybrid.decode(p, start: 4, end: 4 + len, bitWidth: 1, count: n, into: &levels)
                    pos = 4 + len
                }
                nonNull = 0
                for l in levels {
                    guard l <= 1 else { throw ParquetError.corrupt("\(context): definition level \(l) > 1") }
                    present?.append(l == 1)
                    nonNull += Int(l)
                }
            }
            switch h.encoding {
            case .plain:
                try values.appendPlain(p, start: pos, end: p.count, count: nonNull)
            case .plainDictionary, .rleDictionary:
                guard let dictionary else { throw ParquetError.corrupt("\(context): dictionary-encoded page without a dictionary page") }
                guard nonNull > 0 else { return }
                guard pos < p.count else { throw ParquetError.corrupt("\(context): missing dictionary index bit width") }
                let bw = Int(p[pos])
                var idx: [UInt32] = []
                try RLEHybrid.decode(p, start: pos + 1, end: p.count, bitWidth: bw, count: nonNull, into: &idx)
                try values.appendGathered(from: dictionary, indices: idx)
            case .rle where column.physicalType == .boolean:
                try values.appendRLEBooleans(p, start: pos, end: p.count, count: nonNull)
            default:
                throw ParquetError.unsupported("\(context): value encoding \(h.encoding)")
            }
        }
    }
}
