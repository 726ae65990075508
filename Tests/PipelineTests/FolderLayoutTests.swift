import Foundation
import Testing

/// Pipeline's folders form layers (docs/ARCHITECTURE.md, "Map of `Pipeline`"): a file may use types of its own
/// folder and of folders listed before it, never after, so no two folders import each other.
@Suite struct FolderLayoutTests {
    /// The folders in dependency order, as the architecture map lists them.
    static let order = ["Common", "Wrappers", "Time", "Dedup", "Source", "Storage", "Checkpoint", "Table", "Config", "DeadLetter",
                        "Evaluation", "Batch", "RunLoop", "Compaction", "Inspection", "Recovery"]

    static let pipeline = Paths.repoRoot.appendingPathComponent("Sources/Pipeline").path

    /// Swift files per top-level folder of `Sources/Pipeline`.
    static func files() throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: pipeline)
        while let rel = enumerator?.nextObject() as? String {
            guard rel.hasSuffix(".swift"), let folder = rel.split(separator: "/").first, rel.contains("/") else { continue }
            out[String(folder), default: []].append(pipeline + "/" + rel)
        }
        return out
    }

    /// Source text without comments and string literals' contents, roughly: enough to find type references.
    static func code(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            .joined(separator: "\n")
    }

    @Test func everyFolderIsInTheMap() throws {
        #expect(Set(try Self.files().keys) == Set(Self.order))
    }

    @Test func foldersUseOnlyFoldersBeforeThem() throws {
        let files = try Self.files()
        let declaration = try Regex(#"(?m)^(?:(?:public|private|fileprivate|internal|final|indirect|@\w+)\s+)*(?:struct|class|enum|protocol|actor|typealias)\s+(\w+)"#)
        var owner: [String: String] = [:]
        for (folder, paths) in files {
            for path in paths {
                for match in try Self.code(path).matches(of: declaration) {
                    if let name = match.output[1].substring { owner[String(name)] = folder }
                }
            }
        }
        let rank = Dictionary(uniqueKeysWithValues: Self.order.enumerated().map { ($1, $0) })
        var violations: [String] = []
        for (folder, paths) in files {
            for path in paths {
                let text = try Self.code(path)
                let words = Set(text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
                for word in words {
                    guard let other = owner[word], other != folder, let mine = rank[folder], let theirs = rank[other] else { continue }
                    if theirs > mine { violations.append("\((path as NSString).lastPathComponent) (\(folder)) uses \(word) (\(other))") }
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.sorted().joined(separator: "\n"))")
    }
}
