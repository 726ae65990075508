import Iceberg

/// Which files under an Iceberg table's `data/` and `metadata/` folders `weir maintain` deletes as orphans (Iceberg's
/// `remove_orphan_files`), decided without I/O.
///
/// A file is an orphan when no metadata references it — not the current metadata file, nor one its `metadata-log`
/// keeps, nor any snapshot's manifest list, manifest or live data file — and it is older than the grace period,
/// so the files of a commit in flight (written, not yet referenced) are safe; a file whose name carries the
/// instance id of a live writer is left alone too. Metadata files older than the oldest one `metadata-log` keeps
/// are deleted whatever their age: that bounds the metadata files to `write.metadata.previous-versions-max` + 1.
enum TableOrphanScan {
    /// One listed file: its `Storage` name, its name's last component, and its modification time (unix seconds).
    struct Listed: Sendable, Equatable {
        let name: String
        let modifiedAt: Int64
        var fileName: String { IcebergOrphans.lastComponent(name) }
    }

    /// - Parameters:
    ///   - listed: every file under the table's `data/` and `metadata/` folders.
    ///   - referenced: the `Storage` names the table's metadata references.
    ///   - oldestLoggedVersion: the smallest version among the current metadata file and its `metadata-log`.
    ///   - notAfter: files modified after this (unix seconds: now − grace) are kept.
    ///   - liveWriters: instance ids of writers alive now.
    static func orphans(listed: [Listed], referenced: Set<String>, oldestLoggedVersion: Int, notAfter: Int64,
                        liveWriters: Set<String>) -> [String] {
        listed.filter { file in
            guard !referenced.contains(file.name) else { return false }
            let name = file.fileName
            if name.hasSuffix(".metadata.json"), SnapshotPlanner.version(of: name) >= 0, SnapshotPlanner.version(of: name) < oldestLoggedVersion {
                return true
            }
            guard file.modifiedAt <= notAfter else { return false }
            return !liveWriters.contains { name.contains($0) }
        }.map(\.name)
    }
}
