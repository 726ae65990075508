/// One entry of a manifest list: a manifest, the snapshot that added it, its counts and partition ranges.
public struct ManifestFile: Sendable, Equatable {
    public var path: String
    public var length: Int64
    public var specID: Int32
    public var sequenceNumber: Int64
    public var minSequenceNumber: Int64
    public var addedSnapshotID: Int64
    public var addedFilesCount: Int32
    public var addedRowsCount: Int64
    /// Entries with status existing (carried from earlier snapshots) and deleted, and their rows.
    public var existingFilesCount: Int32 = 0
    public var deletedFilesCount: Int32 = 0
    public var existingRowsCount: Int64 = 0
    public var deletedRowsCount: Int64 = 0
    /// Per partition field: whether a null occurs, and the lower and upper bound (single-value encoded).
    public var partitions: [FieldSummary]

    public struct FieldSummary: Sendable, Equatable {
        public var containsNull: Bool
        public var lowerBound: [UInt8]?
        public var upperBound: [UInt8]?

        public init(containsNull: Bool, lowerBound: [UInt8]?, upperBound: [UInt8]?) {
            self.containsNull = containsNull
            self.lowerBound = lowerBound
            self.upperBound = upperBound
        }
    }

    public init(path: String, length: Int64, specID: Int32, sequenceNumber: Int64, minSequenceNumber: Int64, addedSnapshotID: Int64,
                addedFilesCount: Int32, addedRowsCount: Int64, partitions: [FieldSummary]) {
        self.path = path
        self.length = length
        self.specID = specID
        self.sequenceNumber = sequenceNumber
        self.minSequenceNumber = minSequenceNumber
        self.addedSnapshotID = addedSnapshotID
        self.addedFilesCount = addedFilesCount
        self.addedRowsCount = addedRowsCount
        self.partitions = partitions
    }

    /// The entry as a `ManifestSchemas.manifestFile` record.
    var avroValue: AvroValue {
        .record([
            .string(path), .long(length), .int(specID), .int(0), .long(sequenceNumber), .long(minSequenceNumber),
            .long(addedSnapshotID), .int(addedFilesCount), .int(existingFilesCount), .int(deletedFilesCount), .long(addedRowsCount),
            .long(existingRowsCount), .long(deletedRowsCount),
            .optional(.array(partitions.map {
                .record([.boolean($0.containsNull), .optional(.boolean(false)), .optional($0.lowerBound.map(AvroValue.bytes)),
                         .optional($0.upperBound.map(AvroValue.bytes))])
            })),
            .optional(nil),
        ])
    }

    /// Reads an entry back from a `ManifestSchemas.manifestFile` record (Weir reads its own manifest lists to carry
    /// the manifests forward into the next snapshot).
    /// - Throws: `AvroError` when the record is not of that shape.
    init(avro value: AvroValue) throws {
        guard case .record(let f) = value, f.count == 15, case .string(let path) = f[0], case .long(let length) = f[1],
              case .int(let specID) = f[2], case .long(let seq) = f[4], case .long(let minSeq) = f[5],
              case .long(let snapshot) = f[6], case .int(let added) = f[7], case .int(let existing) = f[8], case .int(let deleted) = f[9],
              case .long(let rows) = f[10], case .long(let existingRows) = f[11], case .long(let deletedRows) = f[12]
        else { throw AvroError("manifest list entry is not a v2 manifest_file record") }
        var summaries: [FieldSummary] = []
        if case .union(1, .array(let items)) = f[13] {
            for item in items {
                guard case .record(let s) = item, case .boolean(let containsNull) = s[0] else { throw AvroError("bad field_summary") }
                func bytes(_ v: AvroValue) -> [UInt8]? { if case .union(1, .bytes(let b)) = v { return b }; return nil }
                summaries.append(FieldSummary(containsNull: containsNull, lowerBound: bytes(s[2]), upperBound: bytes(s[3])))
            }
        }
        self.init(path: path, length: length, specID: specID, sequenceNumber: seq, minSequenceNumber: minSeq, addedSnapshotID: snapshot,
                  addedFilesCount: added, addedRowsCount: rows, partitions: summaries)
        existingFilesCount = existing
        deletedFilesCount = deleted
        existingRowsCount = existingRows
        deletedRowsCount = deletedRows
    }
}
