import Foundation
import Testing
import WeirTestSupport
@testable import WeirCLI
import Pipeline

/// A value checked once the file, the environment and the flags are all applied is reported with where it came
/// from: the file, the environment variable or the flag that set it last.
@Suite struct ConfigOriginTests {
    /// The error `validate()` throws for `config`, or nil.
    private func validationError(_ config: WeirConfig) -> ConfigError? {
        do {
            try config.validate()
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    @Test func aValueFromTheFileNamesTheFile() throws {
        let config = try ConfigFile.load("lake:\n  compression: lzma\n")
        let error = try #require(validationError(config))
        let file = try #require(error.file, "\(error)")
        #expect(file.hasSuffix("/weir.yaml"), "\(error)")
        #expect(error.description.hasPrefix("invalid configuration: \(file): lake.compression: unknown codec 'lzma'"), "\(error)")
    }

    @Test func aValueFromTheEnvironmentNamesTheVariable() throws {
        let config = try ConfigFile.load("observability:\n  log_level: debug\n", environment: ["WEIR_LOG_LEVEL": "verbose"])
        let error = try #require(validationError(config))
        #expect(error.file == nil && error.origin == "WEIR_LOG_LEVEL", "\(error)")
        #expect(error.description.hasPrefix(
            "invalid configuration: observability.log_level (set by WEIR_LOG_LEVEL): unknown level 'verbose'"), "\(error)")
    }

    @Test func anAWSVariableNamesItself() throws {
        let config = try ConfigFile.load("lake:\n  out_dir: s3://bucket/lake\ncheckpoint:\n  path: /tmp/weir-origin.sqlite\n",
                                         environment: ["AWS_ENDPOINT_URL": "ftp://127.0.0.1:1"])
        let error = try #require(validationError(config))
        #expect(error.key == "lake.s3.endpoint" && error.origin == "AWS_ENDPOINT_URL", "\(error)")
    }

    @Test func aFlagNamesTheFlagOverTheFileAndTheEnvironment() throws {
        let dir = TestDirectories.make("config-origin")
        defer { TestDirectories.remove(dir) }
        try "observability:\n  log_level: verbose\n".write(toFile: dir + "/weir.yaml", atomically: true, encoding: .utf8)
        let options = try PipelineOptions.parse(["--config", dir + "/weir.yaml", "--log-level", "loud"])
        do {
            _ = try options.load()
            Issue.record("an unknown log level was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "observability.log_level" && error.origin == "--log-level" && error.file == nil, "\(error)")
            #expect(error.message.contains("'loud'"), "\(error)")
        }
    }

    @Test func aKeyUnderAMapTheFileGaveNamesTheFile() throws {
        let config = try ConfigFile.load("kafka:\n  properties:\n    no.such.property: 1\n")
        let error = try #require(validationError(config))
        #expect(error.key == "kafka.properties.no.such.property", "\(error)")
        #expect(error.file?.hasSuffix("/weir.yaml") == true, "\(error)")
    }

    @Test func aDefaultHasNoOriginAndTheLastSourceWins() {
        var origins = ConfigOrigins()
        #expect(origins.origin(of: "lake.compression") == nil)
        origins.recordFile("/etc/weir.yaml", keys: ["lake", "lake.compression", "kafka", "kafka.properties"])
        #expect(origins.origin(of: "lake.compression") == "/etc/weir.yaml")
        #expect(origins.origin(of: "kafka.properties.security.protocol") == "/etc/weir.yaml")
        #expect(origins.origin(of: "dlq.sink") == nil)
        origins.record("lake.compression", from: "--compression")
        #expect(origins.origin(of: "lake.compression") == "--compression")
        let located = origins.locate(ConfigError(key: "lake.compression", message: "m", fix: "f"))
        #expect(located.origin == "--compression" && located.file == nil)
        let fromFile = origins.locate(ConfigError(key: "kafka.properties.x", message: "m", fix: "f"))
        #expect(fromFile.file == "/etc/weir.yaml" && fromFile.origin == nil)
    }
}
