/// One entry of a manifest (table spec, "Manifests", `manifest_entry`): a data file and what the snapshot that
/// wrote the manifest did with it.
///
/// `snapshotID` and the sequence numbers are nil only in an entry to be written with status `added`, whose values
/// readers inherit from the manifest list entry (so a manifest stays valid when its commit is retried with a later
/// sequence number). Entries read back (`ManifestEncoding.readManifest`) always carry them, inherited ones resolved.
public struct ManifestEntry: Sendable, Equatable {
    /// `status`: 0 existing, 1 added, 2 deleted.
    public enum Status: Int32, Sendable, Equatable {
        case existing = 0, added = 1, deleted = 2
    }

    public var status: Status
    /// The snapshot that added the file (deleted entries: the snapshot that deleted it).
    public var snapshotID: Int64?
    /// The data sequence number of the file.
    public var sequenceNumber: Int64?
    /// The sequence number of the snapshot that added the file.
    public var fileSequenceNumber: Int64?
    public var file: DataFile

    public init(status: Status, snapshotID: Int64?, sequenceNumber: Int64?, fileSequenceNumber: Int64?, file: DataFile) {
        self.status = status
        self.snapshotID = snapshotID
        self.sequenceNumber = sequenceNumber
        self.fileSequenceNumber = fileSequenceNumber
        self.file = file
    }

    /// A file added by `snapshotID`, its sequence numbers inherited.
    public static func added(_ file: DataFile, snapshotID: Int64) -> ManifestEntry {
        ManifestEntry(status: .added, snapshotID: snapshotID, sequenceNumber: nil, fileSequenceNumber: nil, file: file)
    }

    /// Whether the file is part of the snapshot whose manifest holds this entry (added or existing, not deleted).
    public var isLive: Bool { status != .deleted }

    /// This entry carried into a manifest written by a later snapshot: `existing`, every value explicit.
    public var carried: ManifestEntry {
        ManifestEntry(status: .existing, snapshotID: snapshotID, sequenceNumber: sequenceNumber, fileSequenceNumber: fileSequenceNumber, file: file)
    }

    /// This entry marked deleted by `snapshotID` (the file's sequence numbers kept, as the spec requires).
    public func deleted(by snapshotID: Int64) -> ManifestEntry {
        ManifestEntry(status: .deleted, snapshotID: snapshotID, sequenceNumber: sequenceNumber, fileSequenceNumber: fileSequenceNumber, file: file)
    }
}
