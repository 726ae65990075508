import Foundation
import Testing
@testable import Parquet

/// `field_id` on schema elements (SchemaElement field 9): what Apache Iceberg resolves columns by.
@Suite struct FieldIDTests {
    @Test func pyarrowReadsTheFieldIDsBack() throws {
        let schema = ParquetSchema(columns: [
            .string("id").withFieldID(1), .int64("n", optional: true).withFieldID(7),
            .timestampMicros("ts").withFieldID(42), .boolean("b", optional: true),
        ])
        let path = Oracle.tempPath("field-ids.parquet")
        let writer = try ParquetFileWriter(path: path, schema: schema, options: ParquetWriterOptions(fsync: false))
        try writer.write([.string(["a", "b"]), .int64([1, nil]), .int64([10, 20]), .boolean([true, nil])])
        try writer.close()

        let dump = try Oracle.run(["dump", path])
        #expect(dump.columns.map(\.field_id) == [1, 7, 42, nil])
        #expect(dump.columns.map(\.values) == [["a", "b"], ["1", nil], ["10", "20"], ["true", nil]])
        // Weir's own reader keeps them too (weir inspect shows the schema it reads).
        #expect(try ParquetFileReader(path: path).schema == schema)
    }
}
