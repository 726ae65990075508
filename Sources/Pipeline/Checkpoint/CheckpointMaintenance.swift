import Foundation

/// `weir checkpoint stats` and `weir checkpoint prune`, over the store's own connection (SQLite WAL: safe
/// while `weir run` commits; a prune chunk is one short write transaction that waits on the busy timeout).
public enum CheckpointMaintenance {
    /// Stats in the shape `--format json` prints.
    public struct Report: Codable, Sendable, Equatable {
        public struct Offset: Codable, Sendable, Equatable {
            public let topic: String
            public let partition: Int32
            public let nextOffset: Int64
        }
        public let keys: Int64
        public let databaseBytes: Int64
        public let oldestKeyAt: String?
        public let newestKeyAt: String?
        public let offsets: [Offset]
        public let totals: [String: Int64]
    }

    public static func report(_ stats: CheckpointStats) -> Report {
        Report(keys: stats.keyCount, databaseBytes: stats.databaseBytes,
               oldestKeyAt: stats.oldestKeyAt.map(iso), newestKeyAt: stats.newestKeyAt.map(iso),
               offsets: stats.partitions.sorted { $0.key < $1.key }.map { Report.Offset(topic: $0.key.topic, partition: $0.key.partition, nextOffset: $0.value) },
               totals: stats.totals)
    }

    /// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func iso(_ seconds: Int64) -> String {
        String(RFC3339.format(micros: seconds * 1_000_000).prefix(19)) + "Z"
    }

    public static func render(_ r: Report) -> String {
        var lines = [
            "keys          \(r.keys)",
            "database      \(r.databaseBytes) bytes",
            "oldest key    \(r.oldestKeyAt ?? "-")",
            "newest key    \(r.newestKeyAt ?? "-")",
            "offsets",
        ]
        if r.offsets.isEmpty { lines.append("  (none)") }
        for o in r.offsets { lines.append("  \(o.topic)[\(o.partition)] next \(o.nextOffset)") }
        lines.append("totals")
        let head = ["total", "valid", "invalid", "duplicates"]
        for k in head + r.totals.keys.sorted().filter({ !head.contains($0) }) { lines.append("  \(k) \(r.totals[k] ?? 0)") }
        return lines.joined(separator: "\n")
    }

    /// Deletes dedup keys first seen before `olderThan` (unix seconds), `chunk` keys per transaction so a
    /// running pipeline's commits interleave. Returns how many were deleted.
    public static func prune(_ store: CheckpointStore, olderThan: Int64, chunk: Int = 10_000,
                             progress: ((Int) -> Void)? = nil) throws -> Int {
        var total = 0
        while true {
            let n = try store.pruneKeys(olderThan: olderThan, limit: chunk)
            total += n
            progress?(total)
            if n < chunk { return total }
        }
    }
}
