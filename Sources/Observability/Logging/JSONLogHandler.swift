import Foundation
import Logging

/// A swift-log handler writing one JSON object per line (to standard error by default).
///
/// Shape, fields in this order:
/// `{"timestamp":"2026-11-29T23:59:01.123Z","level":"info","label":"weir.pipeline","message":"batch committed","batch_id":"b-42","partition":3,"records":500}`
/// - `timestamp`: ISO 8601, UTC, millisecond precision.
/// - `level`: swift-log level name (`trace` … `critical`).
/// - `label`: the logger label; `message`: the message.
/// - then metadata (handler, provider and call-site, later wins), flattened: nested dictionaries
///   become dotted keys, sorted by key; `Int`/`Double`/`Bool` values stay JSON numbers/bools; keys
///   that collide with the four fields get a `meta_` prefix; sensitive keys are redacted
///   (see ``LogRedaction``).
public struct JSONLogHandler: LogHandler {
    /// Handler-level metadata, attached to every line.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata source (e.g. task-local batch id).
    public var metadataProvider: Logger.MetadataProvider?
    /// Minimum level emitted.
    public var logLevel: Logger.Level
    private let label: String
    private let output: LogOutput

    /// - Parameters:
    ///   - label: the logger label (becomes the `label` field).
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
        var line = "{\"timestamp\":" + JSONText.quote(LogLineFormat.timestamp(Date()))
        line += ",\"level\":" + JSONText.quote(event.level.rawValue)
        line += ",\"label\":" + JSONText.quote(label)
        line += ",\"message\":" + JSONText.quote(event.message.description)
        for (key, value) in MetadataFlattener.flatten(merged) {
            let name = ["timestamp", "level", "label", "message"].contains(key) ? "meta_" + key : key
            line += "," + JSONText.quote(name) + ":"
            switch value {
            case .string(let s): line += JSONText.quote(s)
            case .raw(let r): line += r
            }
        }
        line += "}\n"
        output.write(line)
    }
}

/// Pieces shared by the JSON and text handlers.
enum LogLineFormat {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `2026-11-29T23:59:01.123Z`.
    static func timestamp(_ date: Date) -> String {
        style.format(date)
    }

    /// Handler metadata, then provider metadata, then call-site metadata (later wins).
    static func merge(_ base: Logger.Metadata, _ provided: Logger.Metadata?, _ call: Logger.Metadata?) -> Logger.Metadata {
        var merged = base
        if let provided { merged.merge(provided) { _, new in new } }
        if let call { merged.merge(call) { _, new in new } }
        return merged
    }
}
