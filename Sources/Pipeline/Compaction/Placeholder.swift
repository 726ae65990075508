import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A short text file left, for a grace period, under the name of each file that compaction merged away.
///
/// Glob readers (DuckDB's `read_parquet('…/**/*.parquet')`, `pyarrow.dataset`) list a partition with
/// `readdir` and then `stat` every listed name *by path*, silently dropping a name whose `stat` fails with
/// `ENOENT` (verified with strace on DuckDB 1.x and pyarrow 2x). A reader that listed the old version of a
/// partition just before the directory swap would therefore silently miss the merged inputs. With a placeholder
/// under each old name the `stat` succeeds and the read then fails loudly, because a placeholder is not a Parquet
/// file (DuckDB: "No magic bytes found at end of file"; pyarrow: "Parquet magic bytes not found in footer").
/// After the grace period the placeholders are deleted; a reader that listed a placeholder and stats it afterwards
/// drops it silently, which is harmless: a placeholder holds no rows. See docs/COMPACTION.md.
///
/// Earlier versions of Weir called these files tombstones (a word that means a Kafka record with a null value elsewhere in
/// Weir); files with the old marker are still recognized, so a lake left with them by an interrupted older
/// `weir compact` is cleaned up by the next run and `weir inspect` still skips them.
public enum CompactionPlaceholder {
    /// The first bytes of every placeholder.
    static let marker = Array("WEIR COMPACTION PLACEHOLDER\n".utf8)
    /// The first bytes of a placeholder written by an older Weir.
    static let legacyMarker = Array("WEIR COMPACTION TOMBSTONE\n".utf8)

    /// The placeholder's content: the marker and a note for whoever opens it.
    static func content(mergedInto: String) -> [UInt8] {
        marker + Array("""
            This Parquet file was merged into \(mergedInto) by weir compact.
            This placeholder is deleted within seconds. A query that failed on it listed the partition while it was \
            being compacted: run the query again.

            """.utf8)
    }

    /// Writes a placeholder at `path` (not fsynced: the directory holding it is fsynced before it is published).
    static func write(at path: String, mergedInto: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(content(mergedInto: mergedInto))) else {
            throw CompactionError("cannot write the placeholder \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether the object `name` of `storage` is a placeholder (one ranged read of its first bytes); false when it
    /// is missing or unreadable.
    public static func isPlaceholder(in storage: Storage, name: String) -> Bool {
        guard let head = try? storage.read(name, range: 0..<Int64(max(marker.count, legacyMarker.count))) else { return false }
        return head.starts(with: marker) || head.starts(with: legacyMarker)
    }

    /// Whether `path` is a placeholder (a regular file that starts with the marker, or the older marker).
    public static func isPlaceholder(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: max(marker.count, legacyMarker.count))
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        let start = head.prefix(n)
        return start.starts(with: marker) || start.starts(with: legacyMarker)
    }
}

/// The placeholders of one compaction run that are still to be deleted, written to the work directory before the
/// swaps that publish them, so that a crashed run's placeholders are deleted by the next run.
struct PendingPlaceholders: Codable {
    /// Absolute paths of the placeholders (the merged inputs' final paths).
    var paths: [String]
    /// When the last of them was published, in milliseconds since the epoch; they are deleted a grace period later.
    var publishedAtMillis: Int64

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// File name prefix of pending lists in the work directory; `legacyFilePrefix` is an older Weir's.
    static let filePrefix = "placeholders-"
    static let legacyFilePrefix = "tombstones-"
}
