/// Writes an Avro object container file (specification, "Object Container Files"): the magic `Obj\u{1}`, the file
/// metadata (a map of string keys to bytes, holding `avro.schema`, `avro.codec` and any caller keys such as
/// Iceberg's `schema` or `partition-spec`), a 16-byte sync marker, then blocks of records, each followed by the
/// marker.
///
/// Records are buffered into one block per `blockRecords`; `finish()` returns the whole file. Manifests are small
/// (kilobytes), so the file is built in memory and stored in one write.
public struct AvroContainerWriter: Sendable {
    /// Block compression (`avro.codec`).
    public enum Codec: String, Sendable { case null, deflate }

    public let schema: AvroSchema
    public let codec: Codec
    /// Records per block.
    public let blockRecords: Int
    private var output = AvroBinaryEncoder()
    private var block = AvroBinaryEncoder()
    private var blockCount = 0
    private let sync: [UInt8]

    /// - Parameters:
    ///   - metadata: extra file metadata, written after `avro.schema` and `avro.codec` in the given order.
    ///   - sync: the 16-byte sync marker; random by default (pass one for reproducible output).
    public init(schema: AvroSchema, codec: Codec = .deflate, metadata: [(String, String)] = [], blockRecords: Int = 1000,
                sync: [UInt8]? = nil) {
        self.schema = schema
        self.codec = codec
        self.blockRecords = max(1, blockRecords)
        var generator = SystemRandomNumberGenerator()
        self.sync = sync ?? (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        precondition(self.sync.count == 16, "an Avro sync marker has 16 bytes")
        output.appendRaw(Array("Obj".utf8) + [1])
        let entries = [("avro.schema", schema.json), ("avro.codec", codec.rawValue)] + metadata
        output.appendLong(Int64(entries.count))
        for (key, value) in entries {
            output.appendBytes(Array(key.utf8))
            output.appendBytes(Array(value.utf8))
        }
        output.appendLong(0)
        output.appendRaw(self.sync)
    }

    /// Appends one record.
    /// - Throws: `AvroError` when it does not match the schema.
    public mutating func append(_ value: AvroValue) throws {
        try block.encode(value, as: schema)
        blockCount += 1
        if blockCount >= blockRecords { try flushBlock() }
    }

    /// The complete file.
    /// - Throws: `AvroError` when compression fails.
    public mutating func finish() throws -> [UInt8] {
        try flushBlock()
        return output.bytes
    }

    private mutating func flushBlock() throws {
        guard blockCount > 0 else { return }
        let data = codec == .deflate ? try RawDeflate.compress(block.bytes) : block.bytes
        output.appendLong(Int64(blockCount))
        output.appendBytes(data)
        output.appendRaw(sync)
        block = AvroBinaryEncoder()
        blockCount = 0
    }
}
