import Foundation
import Pipeline

/// Parsers for the configuration's units: durations (`500ms`, `60s`, `5m`, `1h`, `7d`) and sizes in bytes
/// (`1048576`, `64KiB`, `64MiB`, `1GiB`, `128MB`).
enum ConfigValueParsers {
    /// - Throws: `ConfigError` naming `key` when `text` is not a duration.
    static func duration(_ text: String, key: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            if let value = Double(number), value >= 0 {
                return .milliseconds(Int64((value * scale * 1000).rounded()))
            }
        }
        throw ConfigError(key: key, message: "'\(text)' is not a duration", fix: "write a number with a unit: 500ms, 60s, 5m, 1h or 7d")
    }

    /// - Throws: `ConfigError` naming `key` when `text` is not a size.
    static func bytes(_ text: String, key: String) throws -> Int {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
                                      ("GB", 1_000_000_000), ("B", 1)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let n = Int(trimmed), n > 0 { return n }
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            if let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), value > 0 {
                return Int(value * Double(scale))
            }
        }
        throw ConfigError(key: key, message: "'\(text)' is not a size", fix: "write bytes, or a number with KiB, MiB or GiB, e.g. 64MiB")
    }
}
