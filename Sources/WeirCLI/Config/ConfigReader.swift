import EventSchema
import Foundation
import Pipeline
import Yams

/// Reads a YAML mapping with typed accessors, tracking every key used so that unknown keys are an error.
struct ConfigReader {
    private let values: [String: Any]
    private let path: String
    private var used = Set<String>()

    /// Parses YAML text whose top level must be a mapping (empty text is an empty mapping).
    /// - Throws: `ConfigError` for invalid YAML, a key given twice in one mapping, or a top level that is not a mapping.
    init(yaml: String, source: String) throws {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: yaml)
        } catch {
            throw ConfigError(key: source, message: "not valid YAML: \(YAMLErrorText.oneLine(error))", fix: "fix the YAML syntax")
        }
        try DuplicateKeyCheck.check(yaml: yaml)
        guard let mapping = loaded as? [String: Any]? else {
            throw ConfigError(key: source, message: "the top level is not a mapping", fix: "write `key: value` lines")
        }
        self.init(values: mapping ?? [:], path: "")
    }

    init(values: [String: Any], path: String) {
        self.values = values
        self.path = path
    }

    private func key(_ name: String) -> String { path.isEmpty ? name : path + "." + name }

    /// Every key the text gives, dotted (`lake`, `lake.s3`, `lake.s3.endpoint`), sections included.
    func presentKeys() -> Set<String> {
        var keys = Set<String>()
        func walk(_ mapping: [String: Any], _ prefix: String) {
            for (name, value) in mapping {
                let dotted = prefix.isEmpty ? name : prefix + "." + name
                keys.insert(dotted)
                if let nested = value as? [String: Any] { walk(nested, dotted) }
            }
        }
        walk(values, path)
        return keys
    }

    mutating func section(_ name: String) throws -> ConfigReader? {
        used.insert(name)
        guard let raw = values[name] else { return nil }
        guard let mapping = raw as? [String: Any] else {
            throw ConfigError(key: key(name), message: "must be a mapping", fix: "indent its keys below `\(name):`")
        }
        return ConfigReader(values: mapping, path: key(name))
    }

    mutating func string(_ name: String) throws -> String? {
        used.insert(name)
        guard let raw = values[name], !(raw is NSNull) else { return nil }
        if let s = raw as? String { return s }
        if raw is [Any] || raw is [String: Any] {
            throw ConfigError(key: key(name), message: "must be a single value", fix: "write a string")
        }
        return "\(raw)"
    }

    mutating func int(_ name: String) throws -> Int? {
        guard let text = try string(name) else { return nil }
        guard let n = Int(text), n > 0 else {
            throw ConfigError(key: key(name), message: "'\(text)' is not a positive whole number", fix: "write e.g. 500")
        }
        return n
    }

    mutating func bool(_ name: String) throws -> Bool? {
        guard let text = try string(name) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError(key: key(name), message: "'\(text)' is not true or false", fix: "write true or false")
        }
    }

    /// A duration with a unit (`500ms`, `60s`, `5m`, `1h`, `7d`); zero only where `allowZero` says it means something.
    mutating func duration(_ name: String, allowZero: Bool = false) throws -> Duration? {
        try string(name).map { try ConfigValueParsers.duration($0, key: key(name), allowZero: allowZero) }
    }

    mutating func bytes(_ name: String) throws -> Int? {
        try string(name).map { try ConfigValueParsers.bytes($0, key: key(name)) }
    }

    mutating func stringList(_ name: String) throws -> [String]? {
        used.insert(name)
        guard let raw = values[name] else { return nil }
        if let list = raw as? [Any] { return list.map { "\($0)" } }
        return [try string(name)!]
    }

    /// A mapping of strings, e.g. pass-through librdkafka properties.
    mutating func stringMap(_ name: String) throws -> [String: String]? {
        used.insert(name)
        guard let raw = values[name] else { return nil }
        guard let mapping = raw as? [String: Any] else {
            throw ConfigError(key: key(name), message: "must be a mapping", fix: "write `property: value` lines")
        }
        return mapping.mapValues { "\($0)" }
    }

    /// - Throws: `ConfigError` naming the first key that no accessor asked for.
    func rejectUnknownKeys(allowed: [String]) throws {
        let unknown = values.keys.sorted().filter { !used.contains($0) }
        guard let first = unknown.first else { return }
        let others = unknown.dropFirst().map { key($0) }
        let message = others.isEmpty ? "unknown key" : "unknown key (also unknown: \(others.joined(separator: ", ")))"
        let guesses = unknown.compactMap { name in KeySpelling.closest(to: name, among: allowed).map { (given: key(name), meant: key($0)) } }
        // One guess: `did you mean lake.flush_rows?`; several name the key each one is for.
        let hint = guesses.count == 1 ? "did you mean \(guesses[0].meant)? "
            : guesses.isEmpty ? "" : "did you mean \(guesses.map { "\($0.meant) (for \($0.given))" }.joined(separator: ", "))? "
        throw ConfigError(key: key(first), message: message,
                          fix: hint + "remove it, or use one of: \(allowed.sorted().joined(separator: ", "))")
    }
}
