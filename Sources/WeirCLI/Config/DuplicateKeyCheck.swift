import Foundation
import Pipeline
import Yams

/// Refuses a YAML mapping that gives the same key twice. YAML parsers keep the last value of a repeated key, so a
/// second `checkpoint:` section would silently replace the first (and every key in it) without a word.
enum DuplicateKeyCheck {
    /// - Throws: `ConfigError` naming the dotted key and both lines (1-based), for the first repeat in document
    ///   order; nothing for text that is not valid YAML (`ConfigReader` reports that).
    static func check(yaml: String) throws {
        guard let root = try? Yams.compose(yaml: yaml) else { return }
        try visit(root, path: "")
    }

    private static func visit(_ node: Node, path: String) throws {
        switch node {
        case .mapping(let mapping):
            var firstLine: [String: Int] = [:]
            for (keyNode, value) in mapping {
                guard let name = keyNode.string else { continue }
                let dotted = path.isEmpty ? name : path + "." + name
                let line = keyNode.mark?.line ?? 0
                if let earlier = firstLine[name] {
                    let isSection = value.mapping != nil
                    throw ConfigError(key: dotted, message: "given twice (lines \(earlier) and \(line)); the second would replace the first"
                                          + (isSection ? " whole" : ""),
                                      fix: isSection ? "merge the two `\(name):` sections into one" : "keep one `\(name):` entry")
                }
                firstLine[name] = line
                try visit(value, path: dotted)
            }
        case .sequence(let sequence):
            for (index, element) in sequence.enumerated() { try visit(element, path: "\(path)[\(index)]") }
        default:
            return
        }
    }
}
