import Testing
@testable import Parquet
import WeirTestSupport

/// pyarrow → Swift reader, in-memory sink, API errors, and corrupt/truncated input.
@Suite struct ReaderTests {
    static let variants: [(String, String, String)] = [
        ("snappy", "1.0", "1"), ("zstd", "1.0", "1"), ("gzip", "1.0", "0"), ("none", "1.0", "1"),
        ("snappy", "2.0", "1"), ("zstd", "2.0", "0"), ("none", "2.0", "1"),
    ]

    @Test(arguments: 0..<variants.count)
    func readsPyarrowFiles(variant: Int) throws {
        let (codec, pageVersion, dict) = Self.variants[variant]
        let path = Oracle.tempPath("pyarrow-\(variant).parquet")
        let dump = try Oracle.run(["generate", path, "\(variant + 1)", "2500", codec, pageVersion, dict])
        let reader = try ParquetFileReader(path: path)
        #expect(reader.rowCount == dump.num_rows)
        #expect(reader.metadata.rowGroups.count == dump.num_row_groups)
        let values = try reader.readAll()
        for (i, c) in reader.schema.columns.enumerated() {
            #expect(c.name == dump.columns[i].name)
            #expect((c.repetition == .optional) == dump.columns[i].nullable)
            #expect(TestData.canonical(values[i], c) == dump.columns[i].values, "\(codec)/\(pageVersion)/dict=\(dict) column \(c.name)")
        }
        #expect(reader.schema.columns[0].physicalType == .boolean)
        #expect(reader.schema.columns[2].logicalType == .integer(bitWidth: 16, signed: false))
        #expect(reader.schema.columns[12].logicalType == .timestamp(unit: .micros, isAdjustedToUTC: true))
        #expect(reader.schema.columns[15].logicalType == .decimal(precision: 14, scale: 3))
    }

    func sampleFile(_ codec: CompressionCodec) throws -> [UInt8] {
        let sink = ParquetMemorySink()
        let w = try ParquetFileWriter(sink: sink, schema: TestData.schema(optional: true),
                                      options: .init(compression: codec, rowGroupMaxRows: 300, pageMaxBytes: 512, createdBy: "t"))
        try w.write(TestData.table(rows: 1000, seed: 5, nullFraction: 0.3))
        let summary = try w.close()
        #expect(summary.fileBytes == Int64(sink.bytes.count))
        #expect(summary.rowGroupCount == 4)
        return sink.bytes
    }

    @Test func memorySinkRoundTrip() throws {
        let bytes = try sampleFile(.zstd)
        let r = try ParquetFileReader(bytes: bytes)
        let back = try r.readAll()
        let expected = TestData.table(rows: 1000, seed: 5, nullFraction: 0.3)
        for (i, c) in r.schema.columns.enumerated() {
            #expect(TestData.canonical(back[i], c) == TestData.canonical(expected[i], c))
        }
        #expect(r.metadata.createdBy == "t")
        #expect(r.metadata.hasTypeDefinedColumnOrder)
        #expect(r.schema == TestData.schema(optional: true))
    }

    @Test(arguments: [CompressionCodec.uncompressed, .zstd])
    func truncatedFilesThrow(codec: CompressionCodec) throws {
        let bytes = try sampleFile(codec)
        for cut in [0, 3, 4, 11, 12, 100, bytes.count / 2, bytes.count - 9, bytes.count - 8, bytes.count - 4, bytes.count - 1] {
            #expect(throws: ParquetError.self, "cut at \(cut)") {
                let r = try ParquetFileReader(bytes: Array(bytes[0..<cut]))
                _ = try r.readAll()
            }
        }
        // Cut out of the middle but keep the footer: offsets now point at the wrong bytes.
        let spliced = Array(bytes[0..<(bytes.count / 2)]) + Array(bytes[(bytes.count / 2 + 700)...])
        #expect(throws: ParquetError.self) { _ = try ParquetFileReader(bytes: spliced).readAll() }
    }

    @Test func corruptedBytesNeverCrash() throws {
        let bytes = try sampleFile(.uncompressed)
        var g = SplitMix64(seed: 11)
        var thrown = 0
        for _ in 0..<400 {
            var b = bytes
            for _ in 0..<Int.random(in: 1...4, using: &g) {
                b[Int.random(in: 0..<b.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
            }
            do { _ = try ParquetFileReader(bytes: b).readAll() } catch is ParquetError { thrown += 1 }
        }
        #expect(thrown > 0)
        #expect(throws: ParquetError.self) { _ = try ParquetFileReader(path: "/nonexistent/x.parquet") }
    }

    @Test func writerRejectsBadBatches() throws {
        let schema = ParquetSchema(columns: [.int64("a"), .string("b", optional: true)])
        let w = try ParquetFileWriter(sink: ParquetMemorySink(), schema: schema, options: .init(createdBy: "t"))
        #expect(throws: ParquetError.self) { try w.write([.int64([1, nil]), .string(["x", nil])]) }  // null in required
        #expect(throws: ParquetError.self) { try w.write([.int64([1]), .string(["x", nil])]) }       // row counts
        #expect(throws: ParquetError.self) { try w.write([.int32([1]), .string(["x"])]) }            // wrong type
        #expect(throws: ParquetError.self) { try w.write([.int64([1])]) }                            // column count
        try w.write([.int64([1, 2]), .string(["x", nil])])
        #expect(try w.close().rowCount == 2)
        #expect(throws: ParquetError.self) { try w.write([.int64([1]), .string(["x"])]) }
        #expect(throws: ParquetError.self) {
            _ = try ParquetFileWriter(sink: ParquetMemorySink(), schema: ParquetSchema(columns: [
                .init(name: "d", physicalType: .int32, logicalType: .decimal(precision: 12, scale: 2), repetition: .required)]))
        }
    }
}
