/// Reads an Avro object container file written with a known schema (Weir reads back its own manifest lists).
///
/// The file's `avro.schema` is not interpreted: records are decoded with `schema`, which must be the writer's.
public struct AvroContainerReader: Sendable {
    /// The file metadata (`avro.schema`, `avro.codec`, and the writer's keys).
    public let metadata: [String: String]
    /// Every record, in order.
    public let records: [AvroValue]

    /// - Throws: `AvroError` for a file that is not an Avro container, is truncated, or does not match `schema`.
    public init(bytes: [UInt8], schema: AvroSchema) throws {
        var d = AvroBinaryDecoder(bytes)
        guard try d.raw(4) == Array("Obj".utf8) + [1] else { throw AvroError("not an Avro object container file") }
        var metadata: [String: String] = [:]
        while true {
            var count = try d.long()
            if count == 0 { break }
            if count < 0 { count = -count; _ = try d.long() }
            for _ in 0..<count {
                let key = String(decoding: try d.bytes(), as: UTF8.self)
                metadata[key] = String(decoding: try d.bytes(), as: UTF8.self)
            }
        }
        let sync = try d.raw(16)
        let codec = metadata["avro.codec"] ?? "null"
        guard codec == "null" || codec == "deflate" else { throw AvroError("unsupported codec \(codec)") }
        var records: [AvroValue] = []
        while !d.atEnd {
            let count = try d.long()
            let data = try d.bytes()
            var block = AvroBinaryDecoder(codec == "deflate" ? try RawDeflate.decompress(data) : data)
            for _ in 0..<count { records.append(try block.decode(schema)) }
            guard try d.raw(16) == sync else { throw AvroError("sync marker mismatch") }
        }
        self.metadata = metadata
        self.records = records
    }
}
