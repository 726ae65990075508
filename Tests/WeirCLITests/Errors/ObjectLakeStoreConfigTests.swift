import Foundation
import Pipeline
import Testing
@testable import WeirCLI

/// Which checkpoint store an `s3://` lake takes: PostgreSQL (`checkpoint.url`) needs no `checkpoint.path` and keeps
/// only a temporary directory on the host; SQLite needs `checkpoint.path`; neither is a startup error naming the key.
@Suite struct ObjectLakeStoreConfigTests {
    static func load(_ yaml: String, environment: [String: String] = [:]) throws -> WeirConfig {
        let config = try ConfigFile.load(yaml, environment: environment)
        try config.validate()
        return config
    }

    @Test func aPostgresStoreNeedsNoCheckpointPath() throws {
        let config = try Self.load("""
            lake: {out_dir: "s3://lake/pi2/events", s3: {endpoint: "http://127.0.0.1:8333"}}
            checkpoint: {url: "postgres://weir@db.internal:5432/weir"}
            """)
        let layout = config.lakeLayout()
        #expect(layout.root == "s3://lake/pi2/events")
        let tmp = URL(fileURLWithPath: NSTemporaryDirectory()).standardizedFileURL.path
        #expect(layout.stateDirectory == tmp + "/weir-lake-pi2-events", "\(layout.stateDirectory)")
        #expect(layout.metricsFile.hasPrefix(tmp + "/"))
        #expect(config.storeKey == "checkpoint.url")
    }

    @Test func aCheckpointPathBesideAPostgresStoreKeepsItsDirectory() throws {
        let config = try Self.load("""
            lake: {out_dir: "s3://lake/pi2"}
            checkpoint: {url: "postgres://weir@db.internal/weir", path: /var/lib/weir/pi2/checkpoint.sqlite}
            """)
        #expect(config.lakeLayout().stateDirectory == "/var/lib/weir/pi2")
    }

    @Test func withoutAnyStoreTheErrorNamesBothKeys() throws {
        do {
            _ = try Self.load("lake: {out_dir: \"s3://lake/pi2\"}\n")
            Issue.record("an s3:// lake without a store was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "checkpoint.path")
            #expect("\(error)".contains("is required when the lake is in object storage"), "\(error)")
            #expect("\(error)".contains("or checkpoint.url to a PostgreSQL store"), "\(error)")
        }
    }

    @Test func theEnvironmentsURLCountsToo() throws {
        let config = try Self.load("lake: {out_dir: \"s3://lake/pi2\"}\n", environment: ["WEIR_CHECKPOINT_URL": "postgres://weir@db/weir"])
        #expect(config.checkpointURL == "postgres://weir@db/weir")
        #expect(config.lakeLayout().stateDirectory.hasSuffix("/weir-lake-pi2"))
    }
}
