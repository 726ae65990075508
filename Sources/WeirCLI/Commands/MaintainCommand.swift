import ArgumentParser
import Foundation
import Pipeline

/// `weir maintain`: snapshot expiry and orphan removal on an Apache Iceberg table (Iceberg's `expire_snapshots` and
/// `remove_orphan_files`), safe beside a running `weir run`.
struct MaintainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintain",
        abstract: "Expire old snapshots of an Apache Iceberg table and delete the files nothing references any more.",
        discussion: """
            Expires the snapshots committed before --older-than, keeping the current snapshot, the --retain-last most \
            recent ones and any a branch or tag names; the catalog pointer moves by the same compare-and-set as weir \
            run's commits. Then deletes the data files, manifests and manifest lists only expired snapshots reached, \
            and orphans: files under the table's data/ and metadata/ folders that no metadata references and that are \
            older than --orphan-older-than (so a commit in flight keeps its files), and metadata files that fell out \
            of the metadata log (write.metadata.previous-versions-max, default 100). Only for lake.format: iceberg. \
            See docs/ICEBERG.md, "Maintenance".
            """)

    @OptionGroup var lake: LakeOptions
    @Option(name: .long, help: "Expire snapshots older than this, e.g. 5d or 12h (default: the table's history.expire.max-snapshot-age-ms, else 5d).")
    var olderThan: String?
    @Option(name: .long, help: "Keep at least this many of the most recent snapshots (default: history.expire.min-snapshots-to-keep, else 1).")
    var retainLast: Int?
    @Option(name: .long, help: "Delete unreferenced files only when older than this, e.g. 3d or 1h.")
    var orphanOlderThan: String = "3d"
    @Flag(name: .long, help: "Report what would be expired and deleted; change nothing.")
    var dryRun = false
    @Option(name: .long, help: "Output: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        let (config, layout, store) = try await failOnConfigError { try lake.open() }
        var options = MaintenanceOptions()
        try await failOnConfigError {
            guard config.lakeTable.format == .iceberg else {
                throw ConfigError(key: "lake.format", message: "weir maintain expires snapshots of Apache Iceberg tables; \(layout.root) is a plain Parquet lake",
                                  fix: "merge small files with weir compact and prune dedup keys with weir checkpoint prune, or set lake.format: iceberg for a new lake")
            }
            guard config.lakeTable.iceberg.catalog == .sql else {
                throw ConfigError(key: "lake.iceberg.catalog", message: "weir maintain works on tables of the sql catalog; \(layout.root) is a table of the REST catalog \(config.lakeTable.iceberg.catalogURI ?? "")",
                                  fix: "expire snapshots and remove orphan files with the catalog's own maintenance (e.g. Spark's expire_snapshots and remove_orphan_files, excluding _weir/ and _dlq/)")
            }
            if let olderThan { options.olderThan = try ConfigValueParsers.duration(olderThan, key: "--older-than", bare: .seconds, allowZero: true) }
            if let retainLast {
                guard retainLast >= 1 else {
                    throw ConfigError(key: "--retain-last", message: "\(retainLast) would expire the current snapshot", fix: "pass 1 or more")
                }
                options.retainLast = retainLast
            }
            options.orphanOlderThan = try ConfigValueParsers.duration(orphanOlderThan, key: "--orphan-older-than", bare: .seconds, allowZero: true)
        }
        options.dryRun = dryRun
        let storage = try await failOnConfigError { try LakeStorage.open(layout, config: config) }
        let report = try IcebergMaintenance(layout: layout, storage: storage, store: store, settings: config.lakeTable.iceberg,
                                            warehouseURI: Self.warehouseURI(layout)).run(options)
        switch format {
        case .json: try printJSON(report)
        case .text: print(Self.render(report))
        }
    }

    /// The URI Iceberg metadata paths start with: `file://<root>` for a local lake, the `s3://` root otherwise.
    static func warehouseURI(_ layout: LakeLayout) -> String { layout.isObjectStore ? layout.root : "file://" + layout.root }

    static func render(_ r: MaintenanceReport) -> String {
        if r.snapshotsBefore == 0 { return "\(r.table): no snapshot yet, nothing to do" }
        let verb = r.dryRun ? "would expire" : "expired"
        return "\(r.table): \(verb) \(r.snapshotsExpired) of \(r.snapshotsBefore) snapshots; "
            + "\(r.dryRun ? "would delete" : "deleted") \(r.dataFilesDeleted) data files, \(r.manifestsDeleted) manifests, "
            + "\(r.manifestListsDeleted) manifest lists, \(r.orphansDeleted) orphan files and \(r.oldMetadataFilesDeleted) old metadata files"
            + (r.dryRun ? "" : " (\(r.bytesDeleted) bytes)")
    }
}
