import Foundation

/// Temporary directories for tests, all inside one folder per test process (`$TMPDIR/weir-tests-<pid>/`), which
/// is removed when the process exits, whether its tests passed or failed. Tests still remove their own large
/// directories as soon as they are done (`remove` in a `defer`), so a long run does not fill the disk.
public enum TestDirectories {
    /// `$TMPDIR/weir-tests-<pid>`, created on first use; removed at exit.
    public static let root: String = {
        let path = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("weir-tests-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // A store's background merge may still add a file while the tree is removed (ENOTEMPTY): try again.
        atexit {
            for _ in 0..<5 where FileManager.default.fileExists(atPath: TestDirectories.root) {
                if (try? FileManager.default.removeItem(atPath: TestDirectories.root)) != nil { return }
                usleep(100_000)
            }
        }
        return path
    }()

    /// A fresh, empty directory named after `name`.
    public static func make(_ name: String) -> String {
        let path = root + "/\(name)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.removeItem(atPath: path)
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Removes a directory made by `make`, given it or any path inside it.
    public static func remove(_ path: String) {
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        var url = URL(fileURLWithPath: path).standardizedFileURL
        while url.path != "/" && url.deletingLastPathComponent().path != base { url.deleteLastPathComponent() }
        guard url.path != "/" else { return }
        try? FileManager.default.removeItem(at: url)
    }
}
