import Foundation
import Logging

/// A human-readable swift-log handler for terminals:
/// `2026-11-29T23:59:01.123Z info  weir.pipeline: batch committed batch_id=b-42 partition=3`.
///
/// Same metadata flattening and redaction as ``JSONLogHandler``; string values containing spaces
/// or `=` are quoted.
public struct TextLogHandler: LogHandler {
    /// Handler-level metadata, attached to every line.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata source.
    public var metadataProvider: Logger.MetadataProvider?
    /// Minimum level emitted.
    public var logLevel: Logger.Level
    private let label: String
    private let output: LogOutput

    /// - Parameters:
    ///   - label: the logger label.
    ///   - level: minimum level, default `.info`.
    ///   - output: destination, default ``LogOutput/standardError``.
    ///   - metadataProvider: optional contextual metadata.
    public init(
        label: String, level: Logger.Level = .info, output: LogOutput = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.output = output
        self.metadataProvider = metadataProvider
    }

    /// Access one handler-level metadata entry.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats and writes one line.
    public func log(event: LogEvent) {
        let merged = LogLineFormat.merge(metadata, metadataProvider?.get(), event.metadata)
        let level = event.level.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
        var line = LogLineFormat.timestamp(Date()) + " " + level + label + ": " + event.message.description
        for (key, value) in MetadataFlattener.flatten(merged) {
            switch value {
            case .raw(let r): line += " \(key)=\(r)"
            case .string(let s):
                let needsQuotes = s.isEmpty || s.contains(where: { $0 == " " || $0 == "=" || $0 == "\"" })
                line += " \(key)=" + (needsQuotes ? JSONText.quote(s) : s)
            }
        }
        output.write(line + "\n")
    }
}
