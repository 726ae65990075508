import Foundation

/// Paths the integration tests need, found from this file's location.
enum RepoPaths {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The debug `weir` binary that `swift build --build-tests` produced.
    static var weir: String { root + "/.build/debug/weir" }
    static var python: String { root + "/.venv/bin/python" }
    static var shared: String { root + "/../shared" }
    static func oracle(_ name: String) -> String { root + "/testdata/oracles/" + name }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ prefix: String) throws -> String {
        let path = NSTemporaryDirectory() + "weir-\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
