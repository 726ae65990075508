import ArgumentParser
import Foundation
import Pipeline

/// `weir inspect PATH`.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a lake file, a partition directory or a whole lake: files, rows, bytes, row groups.",
        discussion: "For a single file also the schema, codecs, encodings and column statistics.")

    @Argument(help: "A .parquet file, a partition directory or the lake root; local or s3://bucket/key.")
    var path: String
    @Option(name: .long, help: "Configuration file, for the target row-group size (lake.row_group_rows).")
    var config: String?
    @Option(name: .long, help: "Target rows per row group to compare with (default: lake.row_group_rows).")
    var rowGroupRows: Int?
    @Option(name: .long, help: "Output format.")
    var format: OutputFormat = .text

    func run() async throws {
        let config = try await failOnConfigError {
            let config = try WeirConfig.load(path: self.config)
            try config.validate()
            return config
        }
        let target = rowGroupRows ?? config.pipeline.parquet.rowGroupRows
        let (storage, name, display) = try await failOnConfigError {
            try LakeStorage.locate(path, config: config, what: "the path", fix: "give a .parquet file, a partition directory (date=…) or a lake root (OUT_DIR)")
        }
        let inspection = try LakeInspector.inspect(storage: storage, name: name, displayPath: display, targetRowGroupRows: target)
        switch format {
        case .json: try printJSON(inspection)
        case .text: print(LakeInspector.render(inspection))
        }
    }
}
