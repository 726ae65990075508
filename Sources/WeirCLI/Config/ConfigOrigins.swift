import Pipeline

/// Where the value of each configuration key came from: the configuration file, an environment variable or a
/// flag (the last one applied wins, as it does for the value). A value checked only once every source is applied
/// (`WeirConfig.validate()`) is then reported with the place to fix it, not just its key.
struct ConfigOrigins: Sendable {
    /// Dotted key (`observability.log_level`) → the file's path, the variable's name (`WEIR_LOG_LEVEL`) or the flag
    /// (`--log-level`). Keys left at their defaults are absent.
    private var byKey: [String: String] = [:]
    /// The configuration file, when one was read.
    private(set) var file: String?

    /// Records that the file at `path` gave `keys` (dotted, as `ConfigReader.presentKeys()` lists them).
    mutating func recordFile(_ path: String, keys: Set<String>) {
        file = path
        for key in keys { byKey[key] = path }
    }

    /// Records that `source` (an environment variable or a flag) set `key`.
    mutating func record(_ key: String, from source: String) { byKey[key] = source }

    /// Where `key`'s value came from; a key under a map the file gave (`kafka.properties.x`) came from the file
    /// when the map did. nil for a default.
    func origin(of key: String) -> String? {
        if let origin = byKey[key] { return origin }
        var parent = Substring(key)
        while let dot = parent.lastIndex(of: ".") {
            parent = parent[..<dot]
            if let origin = byKey[String(parent)] { return origin }
        }
        return nil
    }

    /// `error` with the origin of its key: the file (as a read error names it) or the variable or flag that set it.
    func locate(_ error: ConfigError) -> ConfigError {
        guard error.file == nil, error.origin == nil, let origin = origin(of: error.key) else { return error }
        var located = error
        if origin == file { located.file = origin } else { located.origin = origin }
        return located
    }
}
