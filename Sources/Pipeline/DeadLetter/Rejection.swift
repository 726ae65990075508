import EventSchema

/// Why an event goes to the dead-letter queue: a bounded set, safe as a metric label.
public enum RejectionReason: String, Sendable, CaseIterable, Codable {
    /// Not strict RFC 8259 JSON (bad UTF-8, NaN/Infinity, duplicate keys, trailing garbage, too deep, empty).
    case parseError = "parse_error"
    /// Valid JSON that is not an object.
    case notObject = "not_object"
    /// Fails the schema's rules.
    case schema
    /// Larger than `batch.max_message_bytes`.
    case tooLarge = "too_large"
    /// The Kafka record's value is null.
    case tombstone
    /// The event time matches the schema but is not a real instant (or is outside the plausibility window).
    case badTimestamp = "bad_timestamp"
}

/// A rejected event: the reason, the stage, and for schema failures the Cerberus-style errors.
public struct Rejection: Sendable {
    public let reason: RejectionReason
    /// The pipeline stage: `decode`, `validate` or `transform`.
    public let stage: String
    /// A bounded machine-readable detail, e.g. the JSON rejection kind (`duplicateKey`) or `ts`.
    public let detail: String
    /// Schema errors (field path, rule, constraint, message), empty for other reasons.
    public let errors: [ValidationError]
    /// The `validator.errors`-shaped tree, or null.
    public let errorTree: JSONValue

    public init(reason: RejectionReason, stage: String, detail: String, errors: [ValidationError] = [], errorTree: JSONValue = .null) {
        self.reason = reason
        self.stage = stage
        self.detail = detail
        self.errors = errors
        self.errorTree = errorTree
    }
}
