import Foundation
import Pipeline
import Testing
@testable import WeirCLI

/// A key given twice in one mapping of the config file is refused with both lines, never silently replaced.
@Suite struct DuplicateKeyConfigTests {
    static func load(_ yaml: String) throws -> WeirConfig { try ConfigFile.load(yaml) }

    static func refusal(_ yaml: String) -> ConfigError? {
        do {
            _ = try load(yaml)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("not a ConfigError: \(error)")
            return nil
        }
    }

    @Test func aSecondSectionOfTheSameNameIsRefusedWithBothLines() throws {
        let error = try #require(Self.refusal("""
            checkpoint:
              path: /tmp/mine.sqlite
            lake:
              out_dir: /tmp/lake
            checkpoint:
              connect_timeout: 5s
            """))
        #expect(error.key == "checkpoint")
        #expect(error.description.contains("lines 1 and 5"), "\(error.description)")
        #expect(error.description.contains("merge"), "\(error.description)")
    }

    @Test func aRepeatedNestedKeyIsNamedByItsPath() throws {
        let error = try #require(Self.refusal("""
            lake:
              out_dir: /tmp/a
              out_dir: /tmp/b
            """))
        #expect(error.key == "lake.out_dir")
        #expect(error.description.contains("lines 2 and 3"), "\(error.description)")
        #expect(error.description.contains("keep one `out_dir:` entry"), "\(error.description)")
    }

    @Test func theSameKeyInDifferentSectionsIsFine() throws {
        let config = try Self.load("""
            kafka: {topic: events, connect_timeout: 5s}
            checkpoint: {connect_timeout: 7s}
            dlq: {topic: events_dlq}
            """)
        #expect(config.pipeline.topic == "events")
    }
}
