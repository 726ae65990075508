import Foundation
@testable import EventSchema

enum TestSupport {
    /// The repository root, found from this file's path (Tests/EventSchemaTests/TestSupport.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ name: String) -> String {
        repoRoot.appendingPathComponent("testdata/fixtures/schemas/\(name)").path
    }

    static func decode(_ text: String, limits: JSONLimits = .init()) throws -> JSONValue {
        try StrictJSONDecoder(limits: limits).decode(Array(text.utf8))
    }

    static func rejection(_ bytes: [UInt8], limits: JSONLimits = .init()) -> JSONRejection? {
        do throws(JSONDecodeError) { _ = try StrictJSONDecoder(limits: limits).decode(bytes); return nil } catch {
            return error.rejection
        }
    }

    static func rejection(_ text: String, limits: JSONLimits = .init()) -> JSONRejection? {
        rejection(Array(text.utf8), limits: limits)
    }
}
