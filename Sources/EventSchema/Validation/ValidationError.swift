/// One validation failure, machine-readable and with Cerberus's message text.
public struct ValidationError: Sendable, Equatable, CustomStringConvertible {
    /// Document path of the offending value: field names, list indices as decimal strings,
    /// and for `keysrules`/`valuesrules` the dict key. E.g. `["items", "0", "sku"]`.
    public let path: [String]
    /// The Cerberus rule name: `type`, `required`, `allowed`, `regex`, `min`, `max`, `minlength`,
    /// `maxlength`, `empty`, `nullable`, `unknown`, `forbidden`, `dependencies`, `excludes`.
    /// (Errors inside `schema`/`keysrules`/`valuesrules` carry the inner rule and the full path.)
    public let rule: String
    /// The rule's constraint as Python would print it (`integer`, `0`, `['a', 'b']`), if any.
    public let constraint: String?
    /// The message exactly as Cerberus's `BasicErrorHandler` words it (`min value is 0`).
    public let message: String

    public init(path: [String], rule: String, constraint: String?, message: String) {
        self.path = path
        self.rule = rule
        self.constraint = constraint
        self.message = message
    }

    public var description: String { "\(path.joined(separator: ".")): \(message) [\(rule)]" }

    /// Cerberus's numeric error code (`cerberus.errors`), which orders messages within a field.
    public var cerberusCode: Int {
        switch rule {
        case "required": return 0x02
        case "unknown": return 0x03
        case "dependencies": return message.hasPrefix("field '") ? 0x04 : 0x05
        case "excludes": return 0x06
        case "empty": return 0x22
        case "nullable": return 0x23
        case "type": return 0x24
        case "minlength": return 0x27
        case "maxlength": return 0x28
        case "regex": return 0x41
        case "min": return 0x42
        case "max": return 0x43
        case "allowed": return message.hasPrefix("unallowed values") ? 0x45 : 0x44
        case "forbidden": return message.hasPrefix("unallowed values") ? 0x47 : 0x46
        default: return 0x00
        }
    }
}

/// The outcome of validating one document.
public struct ValidationResult: Sendable {
    /// `true` when there are no errors.
    public let isValid: Bool
    /// All errors, in evaluation order.
    public let errors: [ValidationError]
    /// The normalized document (defaults applied). Returned even when invalid.
    public let document: JSONObject
    /// How many top-level keys of `document` the schema does not declare (kept when `allow_unknown` is true,
    /// errors otherwise). Name matching is the validator's (`String` equality).
    public let unknownFieldCount: Int

    public init(errors: [ValidationError], document: JSONObject, unknownFieldCount: Int) {
        self.isValid = errors.isEmpty
        self.errors = errors
        self.document = document
        self.unknownFieldCount = unknownFieldCount
    }

    /// The errors shaped like Cerberus's `validator.errors`: `{field: [message, ..., {subfield: [...]}]}`.
    /// Messages for a field come first, a nested map (sub-document, list items, dict keys/values) last.
    public var cerberusErrors: JSONValue {
        var tree = ErrorTree()
        for e in errors { tree.insert(e.path[...], e.rule, e.message) }
        return tree.json
    }
}
