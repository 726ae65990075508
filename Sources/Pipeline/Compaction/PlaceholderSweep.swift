import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Step 5 of compaction: the placeholders left under merged inputs' names are deleted once each swap has been
/// visible for the grace period. The lists of placeholders to delete live in the work directory, so a run that
/// crashed before its sweep is swept by the next one.
struct PlaceholderSweep {
    let workDirectory: String
    /// How long placeholders stay after their swap (`CompactionOptions.placeholderGrace`).
    let grace: Duration

    /// The path of the pending list of swap `id`.
    func pendingPath(id: String) -> String { workDirectory + "/" + PendingPlaceholders.filePrefix + id + ".json" }

    /// Writes (or rewrites) the pending list of swap `id` atomically.
    func record(_ pending: PendingPlaceholders, id: String) throws {
        try DurableFile.writeAtomically(Array(try JSONEncoder().encode(pending)), to: pendingPath(id: id))
    }

    /// Deletes the placeholders of earlier swaps (this run's and a crashed run's, also an older Weir's
    /// `tombstones-*.json` lists), first waiting until each has been visible for `grace`. Only files that still
    /// are placeholders are deleted.
    /// - Throws: `CompactionError` naming a placeholder that cannot be deleted.
    func sweep() throws {
        let fm = FileManager.default
        let graceMillis = grace.microseconds / 1000
        for entry in ((try? fm.contentsOfDirectory(atPath: workDirectory)) ?? []).sorted()
        where (entry.hasPrefix(PendingPlaceholders.filePrefix) || entry.hasPrefix(PendingPlaceholders.legacyFilePrefix)) && entry.hasSuffix(".json") {
            let path = workDirectory + "/" + entry
            guard let data = fm.contents(atPath: path), let pending = try? JSONDecoder().decode(PendingPlaceholders.self, from: data) else {
                try? fm.removeItem(atPath: path)
                continue
            }
            let wait = pending.publishedAtMillis + graceMillis - PendingPlaceholders.now()
            if wait > 0 { usleep(useconds_t(min(wait, 3_600_000) * 1000)) }
            var parents = Set<String>()
            for placeholder in pending.paths where CompactionPlaceholder.isPlaceholder(placeholder) {
                guard unlink(placeholder) == 0 || errno == ENOENT else {
                    throw CompactionError("cannot delete the placeholder \(placeholder): \(String(cString: strerror(errno)))")
                }
                parents.insert((placeholder as NSString).deletingLastPathComponent)
            }
            for parent in parents { try? DurableFile.sync(path: parent) }
            try? fm.removeItem(atPath: path)
        }
    }
}
