/// A configuration value Weir cannot run with. The message names the key and the fix, for the operator at 3 a.m.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// The dotted configuration key, e.g. `lake.flush_rows`.
    public let key: String
    /// What is wrong with the value.
    public let message: String
    /// What to do about it.
    public let fix: String
    /// The configuration file the value was read from, when the error was found while reading it or the value
    /// was checked later but came from the file.
    public var file: String?
    /// The environment variable or flag that set the value (`WEIR_LOG_LEVEL`, `--log-level`), when it did not
    /// come from the file.
    public var origin: String?

    public init(key: String, message: String, fix: String, file: String? = nil) {
        self.key = key
        self.message = message
        self.fix = fix
        self.file = file
    }

    /// `invalid configuration: [FILE: ]KEY[ (set by ORIGIN)]: MESSAGE (fix: FIX)`.
    public var description: String {
        "invalid configuration: \(file.map { "\($0): " } ?? "")\(key)\(origin.map { " (set by \($0))" } ?? ""): \(message) (fix: \(fix))"
    }
}
