import Foundation
import WeirTestSupport

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
    /// The repository's own test data (poison corpus, Wikimedia sample; see testdata/fixtures/SOURCE.md).
    static func fixture(_ name: String) -> String { root + "/testdata/fixtures/" + name }
    static func oracle(_ name: String) -> String { root + "/testdata/oracles/" + name }

    /// A fresh temporary directory (under `TestDirectories.root`, removed at exit at the latest); the caller
    /// removes it with `remove` in a `defer`.
    static func temporaryDirectory(_ prefix: String) throws -> String {
        TestDirectories.make(prefix)
    }

    /// Removes a temporary directory made by `temporaryDirectory`, given it or any path inside it.
    static func remove(_ path: String) {
        TestDirectories.remove(path)
    }
}
