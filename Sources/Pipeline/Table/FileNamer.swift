import Foundation

/// Names lake files so that two writers or two flushes never collide.
///
/// `part-<UTC yyyyMMddTHHmmss>-<instance>-<sequence>.parquet`: the instance id is random per process and the
/// sequence grows per file, so names are unique even within one second (the original notebook's
/// `events_<unix seconds>.parquet` overwrote files written in the same second).
public struct FileNamer: Sendable {
    public let instance: String
    private var sequence: Int = 0

    public init(instance: String) { self.instance = instance }

    /// The next file name for a file written at `date`, with extension `ext` (e.g. `parquet`, `jsonl`).
    public mutating func next(prefix: String = "part", ext: String = "parquet", at date: Date = Date()) -> String {
        sequence += 1
        let seconds = Int64(date.timeIntervalSince1970)
        let day = CivilTime.civilDate(daysSinceEpoch: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - (seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400) * 86_400)
        let stamp = CivilTime.pad(day.year, 4) + CivilTime.pad(day.month, 2) + CivilTime.pad(day.day, 2) + "T"
            + CivilTime.pad(secondOfDay / 3600, 2) + CivilTime.pad(secondOfDay / 60 % 60, 2) + CivilTime.pad(secondOfDay % 60, 2)
        return "\(prefix)-\(stamp)-\(instance)-\(CivilTime.pad(sequence, 6)).\(ext)"
    }

    /// The instance id in a name made by `next` (`part-<stamp>-<instance>-<sequence>.<ext>`); nil for other names.
    public static func instance(ofName name: String) -> String? {
        let parts = name.split(separator: "-")
        guard parts.count == 4, parts[2].count == 12, parts[2].allSatisfy(\.isHexDigit) else { return nil }
        return String(parts[2])
    }

    /// A random 12-hex-digit instance id.
    public static func randomInstanceID() -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12))
    }
}
