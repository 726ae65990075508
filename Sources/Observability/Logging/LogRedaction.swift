import Logging

/// The logging rule, enforced as far as a log handler can: **no payload, no event field value, no
/// secret in logs.**
///
/// Both Weir log handlers pass every metadata key through ``isSensitive(_:)`` and replace the
/// value of a sensitive key with ``placeholder``. Call sites must still only log identifiers,
/// counts, durations and bounded reason codes; this is a safety net, not a licence.
public enum LogRedaction {
    /// What a redacted value is replaced with.
    public static let placeholder = "[REDACTED]"

    /// Key fragments (compared case-insensitively, as substrings) whose values are never logged.
    public static let sensitiveKeyFragments: [String] = [
        "password", "passwd", "secret", "token", "apikey", "api_key", "credential",
        "authorization", "sasl", "private_key", "payload", "event_value", "record_value",
    ]

    /// Whether a metadata key (after flattening, e.g. `kafka.sasl.password`) must be redacted.
    public static func isSensitive(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return sensitiveKeyFragments.contains { lowered.contains($0) }
    }

    /// A metadata value that always renders as ``placeholder``, for values that must be
    /// acknowledged in a log line without being shown: `logger.info("auth", metadata: ["user": .redacted])`.
    public static var redacted: Logger.MetadataValue { .string(placeholder) }
}

/// Flattens swift-log metadata into `key → value` pairs, sorted by key, with redaction applied.
public enum MetadataFlattener {
    /// A flattened scalar: JSON number/bool kept raw, everything else as a string.
    public enum Scalar: Equatable, Sendable {
        case string(String)
        case raw(String)
    }

    /// Nested dictionaries become dotted keys (`kafka.topic`); arrays are rendered as a string
    /// like `[a, b]`; `Int`/`Double`/`Bool` passed as `.stringConvertible` stay numbers/bools.
    static func flatten(_ metadata: Logger.Metadata) -> [(String, Scalar)] {
        var out: [(String, Scalar)] = []
        func visit(_ prefix: String, _ value: Logger.MetadataValue) {
            if LogRedaction.isSensitive(prefix) {
                out.append((prefix, .string(LogRedaction.placeholder)))
                return
            }
            switch value {
            case .string(let s):
                out.append((prefix, .string(s)))
            case .stringConvertible(let c):
                out.append((prefix, scalar(c)))
            case .dictionary(let d):
                for (k, v) in d { visit("\(prefix).\(k)", v) }
            case .array(let a):
                out.append((prefix, .string("[" + a.map { $0.description }.joined(separator: ", ") + "]")))
            }
        }
        for (key, value) in metadata { visit(key, value) }
        return out.sorted { $0.0 < $1.0 }
    }

    private static func scalar(_ value: any CustomStringConvertible & Sendable) -> Scalar {
        switch value {
        case let b as Bool: return .raw(b ? "true" : "false")
        case is Int, is Int64, is Int32, is UInt, is UInt64, is UInt32, is Int16, is UInt16:
            return .raw(value.description)
        case let d as Double where d.isFinite: return .raw(d.description)
        case let f as Float where f.isFinite: return .raw(f.description)
        default: return .string(value.description)
        }
    }
}
