import Foundation
import WeirTestSupport
@testable import WeirCLI

/// Loads config text the way `weir` does: written to a `weir.yaml` in a temporary directory (removed after), then
/// `WeirConfig.load` with the given environment. Throws what loading throws (`ConfigError`).
enum ConfigFile {
    static func load(_ yaml: String, environment: [String: String] = [:]) throws -> WeirConfig {
        let dir = TestDirectories.make("config-file")
        defer { TestDirectories.remove(dir) }
        try yaml.write(toFile: dir + "/weir.yaml", atomically: true, encoding: .utf8)
        return try WeirConfig.load(path: dir + "/weir.yaml", environment: environment)
    }
}
