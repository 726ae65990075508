/// How the event-time field is written in the events.
///
/// Epoch numbers are only read when configured: a number is never guessed to be seconds or milliseconds.
public enum EventTimeFormat: Sendable, Equatable {
    /// ISO 8601 / RFC 3339: `2024-03-10T00:30:00+05:30`, `…Z`, `…` with no offset (read as UTC),
    /// a space instead of `T`, and 0–9 fractional digits (truncated to microseconds).
    case iso8601
    /// A strftime-style pattern: `%Y %m %d %H %M %S %f %z %%` and literal text,
    /// e.g. `%Y-%m-%d %H:%M:%S UTC`. Times without `%z` are UTC.
    case pattern(String)
    /// A JSON number of seconds since 1970-01-01T00:00:00Z (integer or fractional).
    case epochSeconds
    /// A JSON number of milliseconds since 1970-01-01T00:00:00Z.
    case epochMillis

    /// Parses the configuration spelling: `iso8601`, `epoch_seconds`, `epoch_millis`, or a pattern containing `%`.
    /// - Throws: `ConfigError` naming `event_time.format` when the value is none of these.
    public static func parse(_ text: String) throws -> EventTimeFormat {
        switch text {
        case "iso8601", "rfc3339": return .iso8601
        case "epoch_seconds": return .epochSeconds
        case "epoch_millis": return .epochMillis
        default:
            guard text.contains("%") else {
                throw ConfigError(key: "event_time.format", message: "unknown format '\(text)'",
                                  fix: "use iso8601, epoch_seconds, epoch_millis or a strftime pattern such as '%Y-%m-%d %H:%M:%S UTC'")
            }
            _ = try StrftimePattern(text)
            return .pattern(text)
        }
    }
}
