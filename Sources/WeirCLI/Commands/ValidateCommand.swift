import ArgumentParser
import EventSchema
import Foundation
import Pipeline

/// `weir validate [--schema FILE] [--config FILE] [--format text|json] INPUT.jsonl|-`
///
/// Runs every non-blank line through the same checks as `weir run` (`LineValidation`), prints a verdict per line
/// and a summary. Exit status: 0 all valid, 1 some invalid, 2 usage, configuration or schema errors.
public struct ValidateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check JSON Lines events exactly as weir run would (exit 0 all valid, 1 some invalid, 2 usage or schema error).",
        discussion: """
            A line passes when weir run would land it: strict JSON within batch.max_depth and \
            batch.max_message_bytes, the schema, the event time (event_time.*) and the lake's column types (an \
            integer beyond 64 bits is rejected). The schema and those keys come from --schema, weir.yaml (or \
            --config) and SCHEMA_FILE, like weir run.
            """)

    @Option(name: .long, help: "Cerberus schema file, YAML or JSON (env SCHEMA_FILE, key schema.file; default: the built-in pi2_events v1 schema).")
    var schema: String?

    @Option(name: .long, help: "Configuration file (default: ./weir.yaml if present), for the event time and decoding limits.")
    var config: String?

    @Option(name: .long, help: "Output format: text (one line per event) or json (one JSON object per event).")
    var format: String = "text"

    @Argument(help: "Input JSON Lines file, one event per line, or - for standard input.")
    var input: String

    public init() {}

    public func validate() throws {
        guard LineValidation.Format(rawValue: format) != nil else {
            throw ValidationError("--format must be text or json, not '\(format)'")
        }
    }

    public func run() throws {
        let (loaded, eventSchema) = try Self.configuration(path: config, schema: schema)
        let data = try Self.read(input)
        let validation = LineValidation(schema: eventSchema, config: loaded.pipeline, format: LineValidation.Format(rawValue: format)!)
        let status = validation.run(data, nowMicros: Int64(Date().timeIntervalSince1970 * 1_000_000), out: { print($0) })
        if status != 0 { throw ExitCode(status) }
    }

    /// The configuration (file, environment, `--schema`) and its schema.
    /// - Throws: `ConfigError` for a bad configuration or schema.
    static func configuration(path: String?, schema: String?) throws -> (WeirConfig, EventSchema) {
        var config = try WeirConfig.load(path: path)
        if let schema { config.setSchemaFile(schema, from: "--schema") }
        return (config, try PipelineAssembly.loadSchema(config))
    }

    /// The whole input: a file, or standard input for `-`.
    /// - Throws: `StartupError` naming the path and the reason.
    static func read(_ input: String) throws -> Data {
        if input == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: input))
        } catch {
            let problem = FileProblem(error, operation: "read", path: input)
            throw StartupError(message: "cannot read the input \(input): \(problem?.reason ?? error.localizedDescription)",
                               fix: problem?.fix ?? "check the path")
        }
    }
}
