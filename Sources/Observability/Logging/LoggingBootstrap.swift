import Foundation
import Logging

/// Output format of Weir logs.
public enum LogFormat: String, CaseIterable, Sendable {
    /// One JSON object per line (``JSONLogHandler``); the default for services.
    case json
    /// Human-readable lines (``TextLogHandler``).
    case text
    /// `text` when standard error is a terminal, `json` otherwise.
    case auto
}

/// Installs Weir's log handlers into swift-log, once per process.
public enum LoggingBootstrap {
    /// Environment variable read for the level when no explicit level is given.
    public static let levelEnvironmentVariable = "WEIR_LOG_LEVEL"

    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var done = false
    }
    private static let state = State()

    /// Bootstraps `LoggingSystem` with the chosen handler. Only the first call has an effect
    /// (swift-log traps on a second bootstrap); later calls return `false`.
    ///
    /// - Parameters:
    ///   - format: `.json`, `.text` or `.auto` (default; see ``LogFormat/auto``).
    ///   - level: explicit level (e.g. from a `--log-level` flag); when `nil`, `WEIR_LOG_LEVEL`
    ///     is used, and `.info` when that is unset or invalid.
    ///   - environment: the environment to read (default: the process environment).
    /// - Returns: `true` if this call bootstrapped swift-log.
    @discardableResult
    public static func bootstrap(
        format: LogFormat = .auto, level: Logger.Level? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Bool {
        state.lock.lock()
        defer { state.lock.unlock() }
        guard !state.done else { return false }
        state.done = true
        let resolvedLevel = resolveLevel(explicit: level, environment: environment)
        let resolvedFormat = resolveFormat(format, isTTY: LogOutput.standardErrorIsTTY)
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, format: resolvedFormat, level: resolvedLevel)
        }
        return true
    }

    /// The effective level: `explicit`, else a valid `WEIR_LOG_LEVEL` (case-insensitive, e.g.
    /// `debug`, `WARNING`), else `.info`.
    public static func resolveLevel(explicit: Logger.Level?, environment: [String: String]) -> Logger.Level {
        if let explicit { return explicit }
        if let raw = environment[levelEnvironmentVariable],
           let parsed = Logger.Level(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) {
            return parsed
        }
        return .info
    }

    /// The effective format: `.auto` becomes `.text` on a TTY and `.json` otherwise.
    public static func resolveFormat(_ format: LogFormat, isTTY: Bool) -> LogFormat {
        format == .auto ? (isTTY ? .text : .json) : format
    }

    /// A handler of the given format (`.auto` resolved against standard error).
    public static func makeHandler(
        label: String, format: LogFormat, level: Logger.Level, output: LogOutput = .standardError
    ) -> any LogHandler {
        switch resolveFormat(format, isTTY: LogOutput.standardErrorIsTTY) {
        case .text: return TextLogHandler(label: label, level: level, output: output)
        default: return JSONLogHandler(label: label, level: level, output: output)
        }
    }
}
