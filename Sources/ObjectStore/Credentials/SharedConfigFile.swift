import Foundation

/// The INI format of `~/.aws/credentials` and `~/.aws/config`: `[section]` headers, `name = value` lines,
/// comments starting with `#` or `;`. Names are case-insensitive; values are trimmed.
struct SharedConfigFile {
    /// Section name → (lower-cased key → value).
    var sections: [String: [String: String]] = [:]

    init(parsing text: String) {
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else { current = nil; continue }
                let name = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            // A line starting with whitespace continues a nested value (the config file's s3 = ... blocks):
            // credentials never use that, so it is skipped.
            guard let section = current, !rawLine.first!.isWhitespace,
                  let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            // An inline comment needs whitespace before its marker.
            for marker in [" #", " ;", "\t#", "\t;"] {
                if let range = value.range(of: marker) { value = String(value[..<range.lowerBound]).trimmingCharacters(in: .whitespaces) }
            }
            sections[section, default: [:]][name] = value
        }
    }
}
