import Logging

/// A human-readable line:
/// `2026-11-29T23:59:01.123Z info    weir.pipeline: batch committed batch_id=b-42 partition=3`.
/// String values that are empty or contain a space, `=` or `"` are quoted.
public enum TextLineStyle: LogLineStyle {
    public static func render(timestamp: String, level: Logger.Level, label: String, message: String,
                              metadata: [(String, MetadataFlattener.Scalar)]) -> String {
        var line = timestamp + " " + level.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + label + ": " + message
        for (key, value) in metadata {
            switch value {
            case .raw(let r): line += " \(key)=\(r)"
            case .string(let s):
                let needsQuotes = s.isEmpty || s.contains(where: { $0 == " " || $0 == "=" || $0 == "\"" })
                line += " \(key)=" + (needsQuotes ? JSONText.quote(s) : s)
            }
        }
        return line
    }
}
