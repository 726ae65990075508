import Foundation
import Testing
@testable import Parquet

/// Swift writer → pyarrow + DuckDB (via testdata/oracles/parquet_dump.py), and Swift writer → Swift reader.
@Suite struct PyarrowRoundTripTests {
    static let codecs: [CompressionCodec] = [.uncompressed, .snappy, .gzip, .zstd]

    /// Writes `table`, dumps it with the oracle and checks values, Arrow types, statistics, metadata, DuckDB.
    func check(rows: Int, seed: UInt64, nullFraction: Double, options: ParquetWriterOptions, batch: Int = 10_000,
               name: String) throws {
        let optional = nullFraction > 0
        let schema = TestData.schema(optional: optional)
        let table = TestData.table(rows: rows, seed: seed, nullFraction: nullFraction)
        let path = Oracle.tempPath(name)
        let writer = try ParquetFileWriter(path: path, schema: schema, options: options)
        var off = 0
        repeat {  // several batches, also for 0 rows
            let n = min(batch, rows - off)
            try writer.write(table.map { slice($0, off..<(off + n)) })
            off += n
        } while off < rows
        let summary = try writer.close()
        #expect(summary.rowCount == Int64(rows))

        let dump = try Oracle.run(["dump", path])
        #expect(dump.num_rows == Int64(rows))
        #expect(dump.duckdb_mismatch == nil, "\(name): \(dump.duckdb_mismatch ?? "")")
        #expect(dump.created_by == options.createdBy)
        for (k, v) in options.keyValueMetadata { #expect(dump.key_value[k] == v) }
        #expect(dump.columns.count == schema.columns.count)
        let groupRows = options.rowGroupMaxRows
        for (i, c) in schema.columns.enumerated() {
            let col = dump.columns[i]
            #expect(col.name == c.name)
            #expect(col.arrow_type == TestData.expectedArrowTypes[i], "\(c.name)")
            #expect(col.nullable == optional, "\(c.name)")
            let expected = TestData.canonical(table[i], c)
            #expect(col.values == expected, "\(name) column \(c.name) values differ")
            #expect(col.stats.count == dump.num_row_groups)
            for (g, st) in col.stats.enumerated() {
                let range = (g * groupRows)..<min(rows, (g + 1) * groupRows)
                let nulls = table[i].count == 0 ? 0 : expected[range].filter { $0 == nil }.count
                #expect(st.null_count == Int64(nulls), "\(c.name) rg \(g)")
                #expect(st.num_values == Int64(range.count))
                if let (mn, mx) = TestData.expectedStats(table[i], c, range) {
                    #expect(st.has_min_max, "\(c.name) rg \(g) missing min/max")
                    #expect(st.min == mn, "\(name) \(c.name) rg \(g) min")
                    #expect(st.max == mx, "\(name) \(c.name) rg \(g) max")
                } else {
                    #expect(!st.has_min_max, "\(c.name) rg \(g) unexpected min/max")
                }
            }
        }
        // Our own reader must agree too.
        let reader = try ParquetFileReader(path: path)
        let back = try reader.readAll()
        #expect(reader.rowCount == Int64(rows))
        for (i, c) in schema.columns.enumerated() {
            #expect(TestData.canonical(back[i], c) == TestData.canonical(table[i], c), "\(name) Swift reader column \(c.name)")
        }
    }

    func slice(_ v: ColumnValues, _ r: Range<Int>) -> ColumnValues {
        switch v {
        case .boolean(let a): return .boolean(Array(a[r]))
        case .int32(let a): return .int32(Array(a[r]))
        case .int64(let a): return .int64(Array(a[r]))
        case .float(let a): return .float(Array(a[r]))
        case .double(let a): return .double(Array(a[r]))
        case .byteArray(let a): return .byteArray(Array(a[r]))
        case .string(let a): return .string(Array(a[r]))
        case .fixedLenByteArray(let a): return .fixedLenByteArray(Array(a[r]))
        }
    }

    @Test(arguments: codecs, [0.0, 0.5, 1.0])
    func everyTypeEveryCodec(codec: CompressionCodec, nullFraction: Double) throws {
        let opts = ParquetWriterOptions(compression: codec, rowGroupMaxRows: 1500, pageMaxBytes: 2048,
                                        createdBy: "weir version 0.1.0", keyValueMetadata: [("weir.test", "yes")], fsync: false)
        try check(rows: 3000, seed: 42 &+ UInt64(nullFraction * 10), nullFraction: nullFraction, options: opts, batch: 700,
                  name: "types-\(codec)-\(nullFraction).parquet")
    }

    @Test(arguments: codecs)
    func zeroAndOneRow(codec: CompressionCodec) throws {
        let opts = ParquetWriterOptions(compression: codec, createdBy: "weir test", fsync: false)
        try check(rows: 0, seed: 1, nullFraction: 0, options: opts, name: "zero-\(codec).parquet")
        try check(rows: 1, seed: 2, nullFraction: 0, options: opts, name: "one-\(codec).parquet")
        try check(rows: 1, seed: 3, nullFraction: 0.5, options: opts, name: "one-opt-\(codec).parquet")
    }

    @Test func plainOnlyAndDictionaryFallback() throws {
        try check(rows: 4000, seed: 7, nullFraction: 0.5,
                  options: ParquetWriterOptions(compression: .snappy, rowGroupMaxRows: 4000, dictionaryEnabled: false, createdBy: "w", fsync: false),
                  name: "plain.parquet")
        try check(rows: 4000, seed: 8, nullFraction: 0.5,
                  options: ParquetWriterOptions(compression: .zstd, rowGroupMaxRows: 4000, pageMaxBytes: 4096, dictionaryMaxBytes: 2000,
                                                createdBy: "w", fsync: false),
                  name: "fallback.parquet")
    }

    @Test func largeTableManyRowGroupsAndPages() throws {
        try check(rows: 200_000, seed: 99, nullFraction: 0.5,
                  options: ParquetWriterOptions(compression: .zstd, rowGroupMaxRows: 60_000, pageMaxBytes: 64 << 10,
                                                createdBy: "weir large", fsync: false),
                  batch: 33_333, name: "large.parquet")
        let r = try ParquetFileReader(path: Oracle.tempPath("large.parquet"))
        #expect(r.metadata.rowGroups.count == 4)
    }
}
