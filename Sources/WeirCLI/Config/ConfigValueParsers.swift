import Foundation
import Pipeline

/// Parsers for the configuration's units, shared by every flag and key: durations (`500ms`, `60s`, `5m`, `1h`,
/// `7d`) and sizes in bytes (`1048576`, `64KiB`, `64MiB`, `1GiB`, `128MB`).
enum ConfigValueParsers {
    /// What a bare number (no unit) means for a duration.
    enum BareNumber {
        /// A unit is required (configuration keys, and flags where a bare number would be ambiguous, like `--ttl`).
        case rejected
        /// Seconds (the flags that document it, e.g. `--until-idle 10`).
        case seconds
    }

    /// Parses a duration: a non-negative decimal number followed by `ms`, `s`, `m`, `h` or `d`, or with `bare`
    /// `.seconds` a number alone.
    /// - Parameters:
    ///   - key: the flag or key named in errors.
    ///   - allowZero: whether `0s` is a valid value (e.g. `kafka.fetch_wake_interval: 0s` turns the waker off).
    /// - Throws: `ConfigError` naming `key` and saying what is wrong: a negative or zero value "must be positive",
    ///   a missing unit, an unknown unit, or not a number.
    static func duration(_ text: String, key: String, bare: BareNumber = .rejected, allowZero: Bool = false) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let example = bare == .seconds ? "10 (seconds), 500ms, 10s, 2m, 1h or 7d" : "500ms, 60s, 5m, 1h or 7d"
        func check(_ seconds: Double) throws -> Duration {
            guard seconds.isFinite else { throw ConfigError(key: key, message: "'\(text)' is not a duration", fix: "write e.g. \(example)") }
            if seconds < 0 || (seconds == 0 && !allowZero) {
                throw ConfigError(key: key, message: "'\(text)' must be positive", fix: "write e.g. \(example)")
            }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        if let value = Double(trimmed) {
            guard bare == .seconds else {
                throw ConfigError(key: key, message: "'\(text)' has no unit", fix: "write a number with a unit: \(example)")
            }
            return try check(value)
        }
        let number = trimmed.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" }
        let unit = trimmed.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
        guard let value = Double(number) else {
            throw ConfigError(key: key, message: "'\(text)' is not a duration", fix: "write e.g. \(example)")
        }
        guard let scale = units.first(where: { $0.0 == unit })?.1 else {
            throw ConfigError(key: key, message: "'\(text)' has an unknown unit '\(unit)'", fix: "use ms, s, m, h or d, e.g. \(example)")
        }
        return try check(value * scale)
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
