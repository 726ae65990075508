import Foundation

/// A schema file that cannot be read at all (missing, a directory, unreadable, not UTF-8); errors inside a
/// readable file are ``SchemaError``s.
public struct SchemaFileError: Error, Sendable, CustomStringConvertible {
    /// The schema file's path as given.
    public let path: String
    /// Why, in a few words, e.g. "no such file".
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot read schema file \(path): \(reason)" }

    /// Reads `path` as UTF-8 text.
    /// - Throws: `SchemaFileError` naming the path and the reason.
    static func readText(_ path: String) throws(SchemaFileError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SchemaFileError(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw SchemaFileError(path: path, reason: "is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemaFileError(path: path, reason: "permission denied or unreadable")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw SchemaFileError(path: path, reason: "not UTF-8 text") }
        return text
    }
}
