import Testing
@testable import Parquet

/// Byte-exact Thrift compact protocol tests; expected bytes derived by hand from the compact protocol spec.
@Suite struct ThriftCompactTests {
    func bytes(_ body: (inout CompactWriter) -> Void) -> [UInt8] {
        var w = CompactWriter()
        body(&w)
        return w.bytes
    }

    @Test func varints() {
        #expect(bytes { $0.writeVarint(0) } == [0x00])
        #expect(bytes { $0.writeVarint(127) } == [0x7F])
        #expect(bytes { $0.writeVarint(128) } == [0x80, 0x01])
        #expect(bytes { $0.writeVarint(300) } == [0xAC, 0x02])
    }

    @Test func zigzag() {
        #expect(CompactWriter.zigzag(0) == 0)
        #expect(CompactWriter.zigzag(-1) == 1)
        #expect(CompactWriter.zigzag(1) == 2)
        #expect(CompactWriter.zigzag(-2) == 3)
        #expect(bytes { $0.writeI32(.min) } == [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(bytes { $0.writeI64(-64) } == [0x7F])
        #expect(CompactReader.unzigzag(CompactWriter.zigzag(.min)) == .min)
    }

    @Test func fieldHeadersAndDeltas() {
        // struct { 1: i32 = 1 } → short header (delta 1, type 5), zigzag(1)=2, stop.
        #expect(bytes { w in w.beginStruct(); w.field(1, i32: 1); w.endStruct() } == [0x15, 0x02, 0x00])
        // Delta 19 > 15: long form = type byte + zigzag(20) = 40.
        #expect(bytes { w in w.beginStruct(); w.field(1, i32: 0); w.field(20, i64: -1); w.endStruct() }
                == [0x15, 0x00, 0x06, 0x28, 0x01, 0x00])
    }

    @Test func booleansLiveInTheFieldHeader() {
        #expect(bytes { w in w.beginStruct(); w.field(1, bool: true); w.field(2, bool: false); w.endStruct() } == [0x11, 0x12, 0x00])
    }

    @Test func listsAndBinary() {
        #expect(bytes { w in w.field(3, i32List: [1, 2, 3]) } == [0x39, 0x35, 0x02, 0x04, 0x06])
        let twenty = bytes { w in w.field(1, stringList: Array(repeating: "", count: 20)) }
        #expect(Array(twenty.prefix(3)) == [0x19, 0xF8, 0x14])
        #expect(twenty.count == 3 + 20)
        #expect(bytes { w in w.field(4, string: "ab") } == [0x48, 0x02, 0x61, 0x62])
    }

    @Test func nestedStructRestoresFieldId() {
        let b = bytes { w in
            w.beginStruct()
            w.field(1, structure: { w in w.field(1, i32: 5) })
            w.field(2, i32: 7)
            w.endStruct()
        }
        #expect(b == [0x1C, 0x15, 0x0A, 0x00, 0x15, 0x0E, 0x00])
    }

    @Test func dataPageHeaderBytes() throws {
        var h = PageHeader(type: 0, uncompressedSize: 100, compressedSize: 50)
        h.numValues = 10
        h.encoding = .plain
        var w = CompactWriter()
        h.encode(into: &w)
        let expected: [UInt8] = [0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0x64,
                                 0x2C, 0x15, 0x14, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00]
        #expect(w.bytes == expected)
        let decoded = try expected.withUnsafeBytes { p -> PageHeader in
            var r = CompactReader(p, context: "test")
            return try PageHeader.decode(&r)
        }
        #expect(decoded == h)
    }

    @Test func readerSkipsUnknownFieldsAndRejectsTruncation() throws {
        // struct { 1: i32 = 3, 2: list<binary>["x"], 3: struct{1: double}, 4: i64 = 9 } — read only field 4.
        var w = CompactWriter()
        w.beginStruct()
        w.field(1, i32: 3)
        w.field(2, stringList: ["x"])
        w.writeFieldHeader(3, .structure); w.beginStruct(); w.writeFieldHeader(1, .double)
        w.bytes += [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]; w.endStruct()
        w.field(4, i64: 9)
        w.endStruct()
        var found: Int64?
        try w.bytes.withUnsafeBytes { p in
            var r = CompactReader(p, context: "t")
            try r.readStruct { r, id, t in if id == 4 { found = try r.readI64() } else { try r.skip(t) } }
        }
        #expect(found == 9)
        for cut in 0..<w.bytes.count {
            let part = Array(w.bytes[0..<cut])
            #expect(throws: ParquetError.self) {
                try part.withUnsafeBytes { p in
                    var r = CompactReader(p, context: "t")
                    try r.readStruct { r, _, t in try r.skip(t) }
                }
            }
        }
    }

    @Test func footerRoundTrip() throws {
        let schema = TestData.schema(optional: true)
        let m = ParquetFileMetadata(version: 2, schema: schema, numRows: 0, rowGroups: [],
                                    keyValueMetadata: [ParquetKeyValue(key: "a", value: "b")], createdBy: "weir version 0.1.0",
                                    hasTypeDefinedColumnOrder: true)
        let bytes = MetadataEncoder.encode(m)
        let back = try bytes.withUnsafeBytes { try MetadataDecoder.decode($0) }
        #expect(back == m)
    }
}
