import Logging

/// One JSON object per line, fields in this order:
/// `{"timestamp":"2026-11-29T23:59:01.123Z","level":"info","label":"weir.pipeline","message":"batch committed","batch_id":"b-42","partition":3,"records":500}`
/// - `timestamp`: ISO 8601, UTC, millisecond precision.
/// - `level`: swift-log level name (`trace` … `critical`).
/// - `label`: the logger label; `message`: the message.
/// - then the metadata, sorted by key: `Int`/`Double`/`Bool` values stay JSON numbers/bools; keys that collide
///   with the four fields get a `meta_` prefix.
public enum JSONLineStyle: LogLineStyle {
    public static func render(timestamp: String, level: Logger.Level, label: String, message: String,
                              metadata: [(String, MetadataFlattener.Scalar)]) -> String {
        var line = "{\"timestamp\":" + JSONText.quote(timestamp)
        line += ",\"level\":" + JSONText.quote(level.rawValue)
        line += ",\"label\":" + JSONText.quote(label)
        line += ",\"message\":" + JSONText.quote(message)
        for (key, value) in metadata {
            let name = ["timestamp", "level", "label", "message"].contains(key) ? "meta_" + key : key
            line += "," + JSONText.quote(name) + ":"
            switch value {
            case .string(let s): line += JSONText.quote(s)
            case .raw(let r): line += r
            }
        }
        return line + "}"
    }
}
