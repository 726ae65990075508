import Foundation
import Testing
import Pipeline
@testable import WeirCLI

/// The pi2 schema built into the binary is `schemas/pi2_events.v1.yaml`, the one source of truth (issue 16).
@Suite struct BuiltInSchemaTests {
    @Test func builtInCopyEqualsTheSchemaFile() throws {
        let file = try String(contentsOfFile: RepoPaths.root + "/schemas/pi2_events.v1.yaml", encoding: .utf8)
        #expect(BuiltInSchema.pi2EventsV1 + "\n" == file,
                "schemas/pi2_events.v1.yaml changed: run scripts/embed-schema to regenerate Sources/WeirCLI/Config/BuiltInSchema.swift")
    }

    @Test func noSchemaGivenMeansTheBuiltInOne() throws {
        let config = try WeirConfig.load(path: nil, environment: [:])
        #expect(config.schemaFile == nil)
        let builtIn = try PipelineAssembly.loadSchema(config)
        var fromFileConfig = config
        fromFileConfig.schemaFile = RepoPaths.root + "/schemas/pi2_events.v1.yaml"
        let fromFile = try PipelineAssembly.loadSchema(fromFileConfig)
        #expect(builtIn.fields.map(\.name) == fromFile.fields.map(\.name))
        #expect(!builtIn.fields.isEmpty)
    }

    @Test func aSchemaFileStillWins() throws {
        let config = try WeirConfig.load(path: nil, environment: ["SCHEMA_FILE": "/nonexistent/schema.yaml"])
        #expect(config.schemaFile == "/nonexistent/schema.yaml")
        let error = #expect(throws: ConfigError.self) { try PipelineAssembly.loadSchema(config) }
        #expect(error?.key == "schema.file" && error?.origin == "SCHEMA_FILE", "\(String(describing: error))")
    }
}
