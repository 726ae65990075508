import Foundation

/// Encodes manifests and manifest lists as Avro container files with the metadata keys the spec names.
public enum ManifestEncoding {
    /// A manifest of data files all added by `snapshotID`; their sequence numbers are inherited from the manifest
    /// list entry (null here), so the same manifest stays valid if the commit is retried with a later sequence
    /// number.
    /// - Throws: `AvroError` if a file's partition tuple does not match `spec`.
    public static func manifest(_ files: [DataFile], snapshotID: Int64, schema: IcebergSchema, spec: PartitionSpec,
                                sync: [UInt8]? = nil) throws -> [UInt8] {
        try manifest(entries: files.map { .added($0, snapshotID: snapshotID) }, schema: schema, spec: spec, sync: sync)
    }

    /// A manifest of `entries` (any status); nil snapshot ids and sequence numbers are written as null (inherited).
    /// - Throws: `AvroError` if a file's partition tuple does not match `spec`.
    public static func manifest(entries: [ManifestEntry], schema: IcebergSchema, spec: PartitionSpec, sync: [UInt8]? = nil) throws -> [UInt8] {
        var writer = AvroContainerWriter(schema: ManifestSchemas.manifestEntry(spec: spec), metadata: [
            ("schema", try json(schema)), ("schema-id", String(schema.schemaID)),
            ("partition-spec", try json(spec.fields)), ("partition-spec-id", String(spec.specID)),
            ("format-version", "2"), ("content", "data"),
        ], sync: sync)
        for entry in entries {
            let file = entry.file
            guard file.partition.count == spec.fields.count else {
                throw AvroError("\(file.path): partition has \(file.partition.count) values, spec has \(spec.fields.count) fields")
            }
            func counts(_ m: [Int32: Int64]) -> AvroValue {
                .optional(.pairs(m.sorted { $0.key < $1.key }.map { (.int($0.key), .long($0.value)) }))
            }
            func bounds(_ m: [Int32: [UInt8]]) -> AvroValue {
                .optional(.pairs(m.sorted { $0.key < $1.key }.map { (.int($0.key), .bytes($0.value)) }))
            }
            let dataFile = AvroValue.record([
                .int(0), .string(file.path), .string("PARQUET"),
                .record(file.partition.map { .optional($0.map(AvroValue.int)) }),
                .long(file.recordCount), .long(file.fileSizeInBytes),
                counts(file.columnSizes), counts(file.valueCounts), counts(file.nullValueCounts), counts(file.nanValueCounts),
                bounds(file.lowerBounds), bounds(file.upperBounds),
                .optional(nil), .optional(nil), .optional(nil), .optional(nil),
            ])
            try writer.append(.record([.int(entry.status.rawValue), .optional(entry.snapshotID.map(AvroValue.long)),
                                       .optional(entry.sequenceNumber.map(AvroValue.long)),
                                       .optional(entry.fileSequenceNumber.map(AvroValue.long)), dataFile]))
        }
        return try writer.finish()
    }

    /// A manifest list for snapshot `snapshotID`.
    public static func manifestList(_ manifests: [ManifestFile], snapshotID: Int64, parentSnapshotID: Int64?, sequenceNumber: Int64,
                                    sync: [UInt8]? = nil) throws -> [UInt8] {
        var writer = AvroContainerWriter(schema: ManifestSchemas.manifestFile, metadata: [
            ("snapshot-id", String(snapshotID)), ("parent-snapshot-id", parentSnapshotID.map(String.init) ?? "null"),
            ("sequence-number", String(sequenceNumber)), ("format-version", "2"),
        ], sync: sync)
        for m in manifests { try writer.append(m.avroValue) }
        return try writer.finish()
    }

    /// Reads the entries of a manifest list written by `manifestList`.
    /// - Throws: `AvroError` for a file of another shape.
    public static func readManifestList(_ bytes: [UInt8]) throws -> [ManifestFile] {
        try AvroContainerReader(bytes: bytes, schema: ManifestSchemas.manifestFile).records.map { try ManifestFile(avro: $0) }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
