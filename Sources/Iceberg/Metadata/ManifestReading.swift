/// Reads back the manifests Weir writes, for compaction, manifest merging and snapshot expiry.
extension ManifestEncoding {
    /// The entries of the manifest `listed` (its manifest list entry) whose bytes are `bytes`, with inherited values
    /// resolved: an `added` entry without a snapshot id or sequence numbers takes the list entry's
    /// `added_snapshot_id` and `sequence_number`.
    /// - Throws: `AvroError` when the file is not a data manifest of `spec` in the shape Weir writes (one written
    ///   by another engine, whose Avro schema differs, is named in the message).
    public static func readManifest(_ bytes: [UInt8], listed: ManifestFile, spec: PartitionSpec) throws -> [ManifestEntry] {
        let schema = ManifestSchemas.manifestEntry(spec: spec)
        let reader = try AvroContainerReader(bytes: bytes, schema: schema)
        guard reader.metadata["avro.schema"] == schema.json else {
            throw AvroError("the manifest \(listed.path) was not written with the manifest schema Weir writes for spec \(spec.specID)")
        }
        return try reader.records.map { try entry($0, listed: listed, path: listed.path) }
    }

    static func entry(_ value: AvroValue, listed: ManifestFile, path: String) throws -> ManifestEntry {
        guard case .record(let e) = value, e.count == 5, case .int(let rawStatus) = e[0], let status = ManifestEntry.Status(rawValue: rawStatus),
              case .record(let f) = e[4], f.count == 16, case .string(let filePath) = f[1], case .record(let partition) = f[3],
              case .long(let records) = f[4], case .long(let size) = f[5]
        else { throw AvroError("\(path): an entry is not a v2 manifest_entry record") }
        func optionalLong(_ v: AvroValue) -> Int64? { if case .union(1, .long(let x)) = v { return x }; return nil }
        var file = DataFile(path: filePath, partition: try partition.map { v in
            switch v {
            case .union(1, .int(let x)): return x
            case .union(0, .null): return nil
            default: throw AvroError("\(path): a partition value of \(filePath) is not an optional int")
            }
        }, recordCount: records, fileSizeInBytes: size)
        file.columnSizes = counts(f[6])
        file.valueCounts = counts(f[7])
        file.nullValueCounts = counts(f[8])
        file.nanValueCounts = counts(f[9])
        file.lowerBounds = bounds(f[10])
        file.upperBounds = bounds(f[11])
        let inherits = status == .added
        let sequence = optionalLong(e[2]) ?? (inherits ? listed.sequenceNumber : nil)
        let fileSequence = optionalLong(e[3]) ?? (inherits ? listed.sequenceNumber : nil)
        guard let sequence, let fileSequence else {
            throw AvroError("\(path): the \(status) entry of \(filePath) has no sequence number (only added entries inherit one)")
        }
        return ManifestEntry(status: status, snapshotID: optionalLong(e[1]) ?? listed.addedSnapshotID, sequenceNumber: sequence,
                             fileSequenceNumber: fileSequence, file: file)
    }

    private static func counts(_ v: AvroValue) -> [Int32: Int64] {
        guard case .union(1, .pairs(let pairs)) = v else { return [:] }
        var out: [Int32: Int64] = [:]
        for case (.int(let k), .long(let x)) in pairs { out[k] = x }
        return out
    }

    private static func bounds(_ v: AvroValue) -> [Int32: [UInt8]] {
        guard case .union(1, .pairs(let pairs)) = v else { return [:] }
        var out: [Int32: [UInt8]] = [:]
        for case (.int(let k), .bytes(let x)) in pairs { out[k] = x }
        return out
    }
}
