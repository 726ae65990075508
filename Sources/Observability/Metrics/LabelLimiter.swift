import Foundation

/// Caps the number of distinct values an open-ended label (topic, partition, table) may take.
///
/// The first `capacity` distinct values seen are passed through (after sanitising); any later new
/// value is replaced by `overflowValue`. Thread-safe.
final class LabelLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Set<String> = []
    /// Maximum number of distinct pass-through values.
    let capacity: Int
    /// The value used once the capacity is exhausted.
    let overflowValue: String

    init(capacity: Int, overflowValue: String = "other") {
        self.capacity = capacity
        self.overflowValue = overflowValue
    }

    /// Returns the label value to use for `raw`: sanitised (max 64 printable ASCII characters,
    /// others replaced with `_`) and capped.
    func limit(_ raw: String) -> String {
        let value = Self.sanitize(raw)
        lock.lock()
        defer { lock.unlock() }
        if seen.contains(value) { return value }
        guard seen.count < capacity else { return overflowValue }
        seen.insert(value)
        return value
    }

    static func sanitize(_ raw: String) -> String {
        var out = ""
        for scalar in raw.unicodeScalars.prefix(64) {
            let ok = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || scalar == "_" || scalar == "-" || scalar == ".")
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        return out.isEmpty ? "_" : out
    }
}
