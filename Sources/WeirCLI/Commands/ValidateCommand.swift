import ArgumentParser
import EventSchema
import Foundation

/// `weir validate --schema FILE [--format text|json] INPUT.jsonl`
///
/// Decodes (strict JSON) and validates (Cerberus 1.3 semantics) every non-blank line of a JSONL
/// file, prints a verdict per line and a summary. Exit status: 0 all valid, 1 some invalid,
/// 2 usage or schema errors.
public struct ValidateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate a JSONL file against a Cerberus-style schema (exit 0 all valid, 1 some invalid, 2 usage/schema error)."
    )

    @Option(name: .long, help: "Schema file (YAML or JSON).")
    var schema: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: String = "text"

    @Argument(help: "Input JSONL file, one event per line.")
    var input: String?

    public init() {}

    public func run() throws {
        let status = JSONLValidation.run(schemaPath: schema, format: format, inputPath: input,
                                         out: { print($0) },
                                         err: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        if status != 0 { throw ExitCode(status) }
    }
}
