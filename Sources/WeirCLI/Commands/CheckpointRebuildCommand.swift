import ArgumentParser
import Foundation
import Pipeline

/// `weir checkpoint rebuild`: restore a lost (deleted, emptied or damaged and moved aside) checkpoint store from
/// the lake's own files, so that the next `weir run` lands nothing twice.
struct CheckpointRebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Restore an empty or missing checkpoint store from the lake: offsets, file manifest, dedup keys.",
        discussion: """
            Reads every Parquet file of the lake (its _kafka_partition and _kafka_offset lineage columns and its \
            dedup-key columns) and the file DLQ under _dlq/, and writes the offsets (one past the highest landed \
            offset per partition), the file manifest and the dedup keys within dedup.ttl into a new store. The next \
            weir run scans the Kafka DLQ topic from its beginning once, so records already in it are not sent again. \
            Use the configuration the lake was written with (kafka.topic, dedup.key, dedup.ttl). Stop every weir \
            process on the lake first; the store must be empty or missing. A lake whose PostgreSQL store is lost \
            for good is moved to a new database with --replace-store: the lake then records the new database, and \
            a host still pointed at the old one is refused.
            """)

    @OptionGroup var lake: LakeOptions
    @Option(name: .long, help: "The source topic the lake was landed from (env KAFKA_TOPIC; default: kafka.topic).")
    var topic: String?
    @Flag(name: .long, help: "Make the checkpoint.url database the lake's store in place of the one it records (that one is lost for good).")
    var replaceStore = false

    func run() async throws {
        let (config, layout, storage, opened) = try await failOnConfigError {
            let config = try lake.load { config in if let topic { config.setTopic(topic) } }
            let layout = config.lakeLayout()
            guard layout.isObjectStore || FileManager.default.fileExists(atPath: layout.root) else {
                throw ConfigError(key: "lake.out_dir", message: "\(layout.root) does not exist",
                                  fix: "point --out-dir or OUT_DIR at the lake whose store was lost")
            }
            let storage = try LakeStorage.open(layout, config: config)
            if let live = Self.liveInstance(layout, storage: storage) {
                throw ConfigError(key: "lake.out_dir", message: "weir instance \(live) is running on \(layout.root)",
                                  fix: "stop every weir process on this lake before rebuilding its store")
            }
            try layout.createDirectories()
            if replaceStore && config.checkpointURL == nil {
                throw ConfigError(key: "checkpoint.url", message: "is not set; --replace-store moves the lake to another PostgreSQL database",
                                  fix: "set checkpoint.url (or WEIR_CHECKPOINT_URL) to the new database")
            }
            let opened = try CheckpointStoreOpener.open(config: config, layout: layout, lake: storage, replacingStore: replaceStore)
            return (config, layout, storage, opened)
        }
        let (store, location) = (opened.store, opened.location)
        let rebuilder = LakeRebuilder(layout: layout, storage: storage, store: store, topic: config.pipeline.topic,
                                      dedupKey: config.pipeline.dedupKey, ttl: config.pipeline.dedupTTL,
                                      databaseLocation: opened.storeID == nil ? nil : location)
        let report: LakeRebuilder.Report
        do {
            report = try rebuilder.rebuild()
        } catch let error as RebuildError {
            FileHandle.standardError.write(Data("weir: checkpoint rebuild: \(error)\n".utf8))
            throw ExitCode(1)
        }
        store.checkpointWAL()
        if replaceStore, let storeID = opened.storeID {
            try SharedStoreMarker.replace(storage, location: location, storeID: storeID)
        }
        var lines = [
            "rebuilt   \(location) from the lake",
            "files     \(report.files) Parquet files (\(report.rows) rows), \(report.deadLetterFiles) DLQ files (\(report.deadLetterRecords) records)",
            report.keysRestorable
                ? "keys      \(report.keys) dedup keys first seen within dedup.ttl (\(Self.describe(config.pipeline.dedupTTL)))"
                : "keys      none: dedup.key content_hash hashes the original payloads, which the lake does not keep; "
                    + "a duplicate of an event landed before the rebuild lands again",
            "offsets",
        ]
        if report.offsets.isEmpty { lines.append("  (none)") }
        for (p, next) in report.offsets.sorted(by: { $0.key < $1.key }) { lines.append("  \(p) next \(next)") }
        if config.deadLetterSink != "file" && report.deadLetterFiles == 0 {
            lines.append("dlq       the next weir run scans the DLQ topic from its beginning once, so records already in it are not sent again")
        }
        print(lines.joined(separator: "\n"))
    }

    /// A whole number of days, hours or seconds, as the configuration writes them (`7d`).
    static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds > 0 && seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds > 0 && seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        return "\(seconds)s"
    }

    /// The id of a `weir run` instance that holds its staging lock (on object storage: an unexpired lease) on
    /// this lake, if any.
    static func liveInstance(_ layout: LakeLayout, storage: Storage) -> String? {
        for entry in (try? storage.list(layout.stagingPrefix)) ?? [] where !entry.hasPrefix(".") {
            let prefix = layout.stagingPrefix + "/" + entry
            // An empty prefix is no instance (SeaweedFS lists a directory whose objects were deleted).
            guard storage.exists(prefix) else { continue }
            // `takeOver` fails while the instance's writer holds its claim (released when the lease is dropped).
            if (try? storage.takeOver(prefix)) ?? nil == nil { return entry }
        }
        return nil
    }
}
