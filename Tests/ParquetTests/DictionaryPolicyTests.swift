import Foundation
import Testing
@testable import Parquet
import WeirTestSupport

/// When a column chunk gives up its dictionary (`ColumnChunkWriter.cardinalityProbes`, `dictionaryMaxBytes`):
/// read back through the page headers, and values checked through the Swift reader.
@Suite struct DictionaryPolicyTests {
    /// Values per data page encoding of column `index` in row group 0.
    func dataPageValues(path: String, column index: Int) throws -> [ParquetEncoding: Int] {
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let chunk = try ParquetFileReader(path: path).metadata.rowGroups[0].columns[index]
        var counts: [ParquetEncoding: Int] = [:]
        try file.withUnsafeBytes { bytes in
            var pos = Int(chunk.dictionaryPageOffset ?? chunk.dataPageOffset)
            let end = pos + Int(chunk.totalCompressedSize)
            while pos < end {
                var r = CompactReader(bytes, position: pos, context: "test")
                let h = try PageHeader.decode(&r)
                if h.kind == .dataPage { counts[h.encoding, default: 0] += Int(h.numValues) }
                pos = r.position + Int(h.compressedSize)
            }
        }
        return counts
    }

    @Test func allDistinctColumnsFallBackEarlyWhileRepeatingIdsKeepTheDictionary() throws {
        let rows = 60_000
        var g = SplitMix64(seed: 3)
        var distinct: [Int64?] = [], ids: [Int64?] = [], words: [String?] = []
        for r in 0..<rows {
            distinct.append(Int64(r) * 1_000 + Int64.random(in: 0..<1_000, using: &g))  // like timestamps
            ids.append(Int64.random(in: 1...100_000, using: &g))  // ~95 % distinct at 10k values, ~45 % at 60k
            words.append("w\(Int.random(in: 0..<500, using: &g))")
        }
        let schema = ParquetSchema(columns: [.int64("distinct"), .int64("ids"), .string("words")])
        let table: [ColumnValues] = [.int64(distinct), .int64(ids), .string(words)]
        let path = Oracle.tempPath("dictionary-policy.parquet")
        let writer = try ParquetFileWriter(path: path, schema: schema,
                                           options: ParquetWriterOptions(rowGroupMaxRows: rows, createdBy: "t", fsync: false))
        try writer.write(table)
        try writer.close()

        let early = try dataPageValues(path: path, column: 0)
        #expect((early[.rleDictionary] ?? 0) >= 10_000 && (early[.rleDictionary] ?? 0) < 12_000, "\(early)")
        #expect(early[.plain] == rows - (early[.rleDictionary] ?? 0))
        #expect(try dataPageValues(path: path, column: 1) == [.rleDictionary: rows])
        #expect(try dataPageValues(path: path, column: 2) == [.rleDictionary: rows])
        let back = try ParquetFileReader(path: path).readAll()
        for i in 0..<3 { #expect(back[i] == table[i]) }
    }
}
