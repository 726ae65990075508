import Foundation
import Testing
@testable import Parquet
import WeirTestSupport

/// The first column's pages go straight to the sink (`ColumnChunkWriter.streamSink`) while its dictionary
/// page, if any, must still come first; PLAIN strings are written through a pointer with estimated spare space.
/// These tables make column 0 fall back from its dictionary mid-chunk in one row group, keep it in another, and
/// mix string lengths from 0 bytes to 70 KB, then check pyarrow, DuckDB and the Swift reader.
@Suite struct StreamingColumnTests {
    func check(_ schema: ParquetSchema, _ table: [ColumnValues], options: ParquetWriterOptions, name: String) throws {
        let rows = table[0].count
        let path = Oracle.tempPath(name)
        let writer = try ParquetFileWriter(path: path, schema: schema, options: options)
        try writer.write(table)
        #expect(try writer.close().rowCount == Int64(rows))
        let dump = try Oracle.run(["dump", path])
        #expect(dump.num_rows == Int64(rows))
        #expect(dump.duckdb_mismatch == nil, "\(name): \(dump.duckdb_mismatch ?? "")")
        let groupRows = options.rowGroupMaxRows
        for (i, c) in schema.columns.enumerated() {
            let expected = TestData.canonical(table[i], c)
            #expect(dump.columns[i].values == expected, "\(name) column \(c.name) values differ")
            for (g, st) in dump.columns[i].stats.enumerated() {
                let range = (g * groupRows)..<min(rows, (g + 1) * groupRows)
                #expect(st.null_count == Int64(expected[range].filter { $0 == nil }.count), "\(name) \(c.name) rg \(g)")
                if let (mn, mx) = TestData.expectedStats(table[i], c, range) {
                    #expect(st.min == mn && st.max == mx, "\(name) \(c.name) rg \(g) min/max")
                } else {
                    #expect(!st.has_min_max, "\(name) \(c.name) rg \(g) unexpected min/max")
                }
            }
        }
        let back = try ParquetFileReader(path: path).readAll()
        for (i, c) in schema.columns.enumerated() {
            #expect(TestData.canonical(back[i], c) == TestData.canonical(table[i], c), "\(name) Swift reader column \(c.name)")
        }
    }

    /// Row group 0: distinct strings of 0…5000 bytes (dictionary falls back after a few pages); row group 1:
    /// 5 distinct values (dictionary kept); row group 2: mostly null with an occasional 70 KB value.
    static func strings(rows: Int, groupRows: Int) -> [String?] {
        var g = SplitMix64(seed: 11)
        return (0..<rows).map { r -> String? in
            switch r / groupRows {
            case 0:
                if Int.random(in: 0..<8, using: &g) == 0 { return nil }
                let n = Int.random(in: 0...(Int.random(in: 0..<10, using: &g) == 0 ? 5000 : 40), using: &g)
                return "\(r)é" + String(repeating: "x", count: n)
            case 1: return ["a", "bb", "ccc", "ñandú", ""][r % 5]
            default:
                if r % 97 == 0 { return String(repeating: "😀", count: 17_500) + "\(r)" }
                return r % 3 == 0 ? "short\(r)" : nil
            }
        }
    }

    @Test(arguments: [CompressionCodec.zstd, .uncompressed])
    func firstColumnStringFallsBackMidChunk(codec: CompressionCodec) throws {
        let groupRows = 3000
        let s = Self.strings(rows: 3 * groupRows, groupRows: groupRows)
        let schema = ParquetSchema(columns: [.string("s", optional: true), .int64("n"), .string("copy", optional: true)])
        let table: [ColumnValues] = [.string(s), .int64((0..<s.count).map { Int64($0 % 50) }), .string(s)]
        try check(schema, table, options: ParquetWriterOptions(compression: codec, rowGroupMaxRows: groupRows,
                                                               pageMaxBytes: 4096, dictionaryMaxBytes: 20_000,
                                                               createdBy: "t", fsync: false),
                  name: "stream-strings-\(codec).parquet")
        try check(schema, table, options: ParquetWriterOptions(compression: codec, rowGroupMaxRows: groupRows,
                                                               dictionaryEnabled: false, createdBy: "t", fsync: false),
                  name: "stream-strings-plain-\(codec).parquet")
    }

    /// Data pages hold at most `pageMaxRows` rows (Arrow's `max_rows_per_page`), also across slices and
    /// batches, and the values survive the extra page boundaries.
    @Test func pagesCloseAtPageMaxRows() throws {
        let rows = 5_000
        let schema = ParquetSchema(columns: [.string("s"), .int64("n", optional: true), .string("tag")])
        let table: [ColumnValues] = [.string((0..<rows).map { "id-\($0)" }),
                                     .int64((0..<rows).map { $0 % 3 == 0 ? nil : Int64($0 % 40) }),
                                     .string((0..<rows).map { ["a", "b", "c"][$0 % 3] })]
        let options = ParquetWriterOptions(compression: .zstd, rowGroupMaxRows: 4_000, pageMaxRows: 700, createdBy: "t", fsync: false)
        try check(schema, table, options: options, name: "page-rows.parquet")
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Oracle.tempPath("page-rows.parquet"))))
        let meta = try ParquetFileReader(path: Oracle.tempPath("page-rows.parquet")).metadata
        try file.withUnsafeBytes { bytes in
            for (g, group) in meta.rowGroups.enumerated() {
                for chunk in group.columns {
                    var pos = Int(chunk.dictionaryPageOffset ?? chunk.dataPageOffset)
                    let end = pos + Int(chunk.totalCompressedSize)
                    var pageRows: [Int32] = []
                    while pos < end {
                        var r = CompactReader(bytes, position: pos, context: "test")
                        let h = try PageHeader.decode(&r)
                        if h.kind == .dataPage { pageRows.append(h.numValues) }
                        pos = r.position + Int(h.compressedSize)
                    }
                    let groupRows = g == 0 ? 4_000 : 1_000
                    let expected = stride(from: 0, to: groupRows, by: 700).map { Int32(min(700, groupRows - $0)) }
                    #expect(pageRows == expected, "rg \(g) \(chunk.path)")
                }
            }
        }
    }

    @Test func firstColumnInt64FallsBackMidChunk() throws {
        let rows = 20_000
        var g = SplitMix64(seed: 5)
        // First 2000 rows: 10 values (several dictionary-encoded pages buffered); then distinct values (the 8 KB
        // dictionary overflows and the chunk falls back to PLAIN).
        var ids: [Int64?] = []
        for r in 0..<rows {
            if r % 11 == 0 {
                ids.append(nil)
            } else {
                ids.append(r < 2000 ? Int64(r % 10) : Int64.random(in: Int64.min ... Int64.max, using: &g))
            }
        }
        let schema = ParquetSchema(columns: [.int64("id", optional: true), .string("tag")])
        let table: [ColumnValues] = [.int64(ids), .string((0..<rows).map { "t\($0 % 7)" })]
        try check(schema, table, options: ParquetWriterOptions(compression: .zstd, rowGroupMaxRows: 12_000, pageMaxBytes: 300,
                                                               dictionaryMaxBytes: 8192, createdBy: "t", fsync: false),
                  name: "stream-int64.parquet")
    }
}
