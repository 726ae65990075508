import Foundation
import Testing
@testable import Iceberg
import WeirTestSupport

/// Weir's Avro encoder against fastavro (testdata/oracles/avro_oracle.py): records byte for byte against
/// fastavro's own encoding, container files value for value as fastavro reads them.
@Suite struct AvroOracleTests {
    static let schema = AvroSchema.record(name: "everything", fields: [
        AvroField(name: "b", type: .boolean, fieldID: 1),
        AvroField(name: "i", type: .int, fieldID: 2),
        AvroField(name: "l", type: .long, fieldID: 3),
        AvroField(name: "f", type: .float, fieldID: 4),
        AvroField(name: "d", type: .double, fieldID: 5),
        AvroField(name: "s", type: .string, fieldID: 6),
        AvroField(name: "by", type: .bytes, fieldID: 7),
        AvroField(name: "fx", type: .fixed(name: "sixteen", size: 16), fieldID: 8),
        AvroField(name: "opt", type: .optional(.long), fieldID: 9, defaultsToNull: true),
        AvroField(name: "arr", type: .array(items: .long, elementID: 11), fieldID: 10),
        AvroField(name: "m", type: .optional(.keyValueMap(recordName: "k13_v14", key: .int, keyID: 13, value: .bytes, valueID: 14)),
                  fieldID: 12, defaultsToNull: true),
        AvroField(name: "day", type: .date, fieldID: 15),
        AvroField(name: "nested", type: .record(name: "inner", fields: [AvroField(name: "x", type: .optional(.string), fieldID: 17)]),
                  fieldID: 16),
    ])

    /// A record and its JSON form for the oracle.
    static func record(_ n: Int64) -> (AvroValue, [String: Any]) {
        let bytes: [UInt8] = (0..<(n % 5)).map { UInt8(truncatingIfNeeded: $0 * 37 + n) }
        let fixed: [UInt8] = (0..<16).map { UInt8(truncatingIfNeeded: Int64($0) * n) }
        let longs: [Int64] = [0, -1, 1, 63, -64, 64, Int64.max, Int64.min, n * 1_000_003].prefix(Int(n % 10)).map { $0 }
        let s = n % 3 == 0 ? "" : "wert \(n) ünïcødé ✓ \"quoted\""
        let opt: Int64? = n % 2 == 0 ? nil : -n * 12_345_678_901
        let map: [(Int32, [UInt8])]? = n % 4 == 1 ? nil : (0..<Int32(n % 3)).map { ($0 + 1, [UInt8(truncatingIfNeeded: $0), 0xff]) }
        let value = AvroValue.record([
            .boolean(n % 2 == 0), .int(Int32(truncatingIfNeeded: n * 7919 - 50_000)), .long(n * -99_999_999_977),
            .float(Float(n) * 0.25 - 3), .double(Double(n) / 3 - 1e9), .string(s), .bytes(bytes), .fixed(fixed),
            .optional(opt.map(AvroValue.long)), .array(longs.map(AvroValue.long)),
            .optional(map.map { AvroValue.pairs($0.map { (.int($0.0), .bytes($0.1)) }) }),
            .int(Int32(n) - 3), .record([.optional(n % 2 == 0 ? .string("x\(n)") : nil)]),
        ])
        let json: [String: Any] = [
            "b": n % 2 == 0, "i": Int(Int32(truncatingIfNeeded: n * 7919 - 50_000)), "l": n * -99_999_999_977,
            "f": Double(Float(n) * 0.25 - 3), "d": Double(n) / 3 - 1e9, "s": s, "by": hex(bytes), "fx": hex(fixed),
            "opt": opt as Any? ?? NSNull(), "arr": longs,
            "m": map.map { $0.map { ["key": Int($0.0), "value": hex($0.1)] } } as Any? ?? NSNull(),
            "day": Int(n) - 3, "nested": ["x": n % 2 == 0 ? "x\(n)" as Any : NSNull()],
        ]
        return (value, json)
    }

    static func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    @Test func recordsEncodeByteForByteLikeFastavro() throws {
        let dir = TestDirectories.make("avro")
        defer { TestDirectories.remove(dir) }
        let records = (0..<40).map { Self.record(Int64($0)) }
        try Data(Self.schema.json.utf8).write(to: URL(fileURLWithPath: dir + "/schema.json"))
        try JSONSerialization.data(withJSONObject: records.map(\.1)).write(to: URL(fileURLWithPath: dir + "/records.json"))
        let expected = try JSONDecoder().decode([String].self, from: PythonOracle.run("avro_oracle.py", ["schemaless", dir + "/schema.json", dir + "/records.json"]))
        #expect(expected.count == records.count)
        for (i, (value, _)) in records.enumerated() {
            var encoder = AvroBinaryEncoder()
            try encoder.encode(value, as: Self.schema)
            #expect(Self.hex(encoder.bytes) == expected[i], "record \(i)")
            var decoder = AvroBinaryDecoder(encoder.bytes)
            #expect(try decoder.decode(Self.schema) == value, "record \(i) decodes back")
        }
    }

    struct ReadBack: Decodable {
        let metadata: [String: String]
        let codec: String
    }

    @Test(arguments: [AvroContainerWriter.Codec.null, .deflate])
    func containerFilesReadBackInFastavro(codec: AvroContainerWriter.Codec) throws {
        let dir = TestDirectories.make("avro-file")
        defer { TestDirectories.remove(dir) }
        let records = (0..<2500).map { Self.record(Int64($0)) }
        var writer = AvroContainerWriter(schema: Self.schema, codec: codec,
                                         metadata: [("schema", "{\"type\":\"struct\"}"), ("format-version", "2"), ("content", "data")],
                                         blockRecords: 1000)
        for (value, _) in records { try writer.append(value) }
        let bytes = try writer.finish()
        let path = dir + "/file.avro"
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let out = try PythonOracle.run("avro_oracle.py", ["read", path])
        let meta = try JSONDecoder().decode(ReadBack.self, from: out)
        #expect(meta.codec == codec.rawValue)
        #expect(meta.metadata["schema"] == "{\"type\":\"struct\"}")
        #expect(meta.metadata["format-version"] == "2")
        #expect(meta.metadata["content"] == "data")
        let parsed = try #require(try JSONSerialization.jsonObject(with: out) as? [String: Any])
        let schema = try #require(parsed["schema"] as? [String: Any])
        let fields = try #require(schema["fields"] as? [[String: Any]])
        #expect(fields.map { $0["field-id"] as? Int } == (1...10).map { $0 } + [12, 15, 16], "field ids survive in avro.schema")
        let arrayType = try #require(fields[9]["type"] as? [String: Any])
        #expect(arrayType["element-id"] as? Int == 11)
        // Value for value: fastavro's records against the JSON form of what was written.
        let readRecords = try #require(parsed["records"] as? [[String: Any]])
        #expect(readRecords.count == records.count)
        for (i, (_, json)) in records.enumerated() {
            var expected = json
            expected["day"] = Self.isoDay(json["day"] as! Int)
            let got = try JSONSerialization.data(withJSONObject: readRecords[i], options: .sortedKeys)
            let want = try JSONSerialization.data(withJSONObject: expected, options: .sortedKeys)
            #expect(String(decoding: got, as: UTF8.self) == String(decoding: want, as: UTF8.self), "record \(i)")
        }
        // And our reader reads the file back.
        let reader = try AvroContainerReader(bytes: bytes, schema: Self.schema)
        #expect(reader.records == records.map(\.0))
        #expect(reader.metadata["avro.codec"] == codec.rawValue)
    }

    static func isoDay(_ days: Int) -> String { CivilDay.string(days: Int64(days)) }
}
