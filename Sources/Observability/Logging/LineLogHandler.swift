import Foundation
import Logging

/// How a ``LineLogHandler`` renders one log line.
public protocol LogLineStyle: Sendable {
    /// One line, without the trailing newline. `metadata` is already merged, flattened, sorted and redacted.
    static func render(timestamp: String, level: Logger.Level, label: String, message: String,
                       metadata: [(String, MetadataFlattener.Scalar)]) -> String
}

/// A swift-log handler that writes one line per event (to standard error by default) in the format of `Style`.
///
/// Metadata is merged (handler, then provider, then call site; later wins), nested dictionaries become dotted
/// keys, sensitive keys are redacted (see ``LogRedaction``), and the timestamp is ISO 8601 UTC with milliseconds.
/// Weir uses two styles: ``JSONLogHandler`` and ``TextLogHandler``.
public struct LineLogHandler<Style: LogLineStyle>: LogHandler {
    /// Handler-level metadata, attached to every line.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata source (e.g. task-local batch id).
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
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let call = event.metadata { merged.merge(call) { _, new in new } }
        let line = Style.render(timestamp: LogTimestamp.format(Date()), level: event.level, label: label,
                                message: event.message.description, metadata: MetadataFlattener.flatten(merged))
        output.write(line + "\n")
    }
}

/// The timestamp of every log line (a generic type cannot hold the stored formatter).
enum LogTimestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `2026-11-29T23:59:01.123Z`.
    static func format(_ date: Date) -> String { style.format(date) }
}

/// One JSON object per line; the default for services.
public typealias JSONLogHandler = LineLogHandler<JSONLineStyle>
/// Human-readable lines for terminals.
public typealias TextLogHandler = LineLogHandler<TextLineStyle>
