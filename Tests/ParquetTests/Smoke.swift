import Testing
@testable import Parquet

@Test func smokeWrite() throws {
    let schema = ParquetSchema(columns: [.string("s", optional: true), .int64("i"), .double("d", optional: true), .timestampMicros("ts"), .boolean("b")])
    let w = try ParquetFileWriter(path: "/tmp/pq_smoke.parquet", schema: schema, options: .init(createdBy: "weir test", keyValueMetadata: [("k", "v")]))
    try w.write([.string(["a", nil, "ccc", "ñ😀"]), .int64([1, -2, .max, .min]), .double([1.5, nil, -0.0, .infinity]), .int64([0, 1, 2, 3]), .boolean([true, false, true, true])])
    try w.close()
}
