// Bounded label values for Weir metrics. Every label that can reach Prometheus goes through one of
// these types so that a hostile or buggy input can never create an unbounded number of series.

/// Outcome of one Kafka record, the `status` label of `kafka_events_processed_total`.
///
/// The set is closed: adding a case is a deliberate schema change for the dashboards.
public enum EventStatus: String, CaseIterable, Sendable {
    /// Validated and written to the lake.
    case success
    /// Failed schema validation (sent to the DLQ).
    case validationError = "validation_error"
    /// Already seen by the dedup store; dropped. Also increments `duplicates_total`.
    case duplicate
    /// Payload is not valid JSON.
    case parseError = "parse_error"
    /// Payload is valid JSON but not an object.
    case notObject = "not_object"
    /// Payload exceeds the configured maximum size.
    case tooLarge = "too_large"
    /// Kafka tombstone (null payload); skipped.
    case tombstone
    /// Event timestamp missing or unparseable, so no `date=` partition can be chosen.
    case badTimestamp = "bad_timestamp"

    /// Whether the status counts as a failure for the SLI (see ``SLOReport``).
    /// `duplicate` and `tombstone` are neither good nor bad and are excluded from the SLI.
    public var isFailure: Bool {
        switch self {
        case .success, .duplicate, .tombstone: return false
        default: return true
        }
    }
}

/// The Cerberus rule names accepted as `error_type` on `kafka_validation_errors_total`.
///
/// Anything not in ``allowed`` maps to `other`.
public enum ValidationRuleLabel {
    /// The allow-list (18 values including `other`).
    public static let allowed: [String] = [
        "type", "required", "allowed", "regex", "min", "max", "minlength", "maxlength", "empty",
        "nullable", "unknown", "forbidden", "dependencies", "excludes", "keysrules", "valuesrules",
        "schema", "other",
    ]
    private static let allowedSet = Set(allowed)

    /// Maps a rule name to its label value: itself if allow-listed (case-sensitive), else `other`.
    public static func normalize(_ rule: String) -> String {
        allowedSet.contains(rule) ? rule : "other"
    }
}

/// The reasons accepted as `reason` on `weir_dlq_records_total`: the `status` values of
/// `kafka_events_processed_total` that send a record to the DLQ, so that both metrics name a rejection alike
/// (a record failing its schema is `validation_error` on both; its DLQ envelope's `reason` field says `schema`).
/// Anything else maps to `other`.
public enum DLQReasonLabel {
    /// The allow-list: `parse_error`, `not_object`, `validation_error`, `too_large`, `tombstone`, `bad_timestamp`,
    /// and `other`.
    public static let allowed: [String] = [
        EventStatus.parseError, .notObject, .validationError, .tooLarge, .tombstone, .badTimestamp,
    ].map(\.rawValue) + ["other"]
    private static let allowedSet = Set(allowed)

    /// Maps a reason to its label value: itself if allow-listed, else `other`.
    public static func normalize(_ reason: String) -> String {
        allowedSet.contains(reason) ? reason : "other"
    }
}

/// Which side of a consumer-group rebalance happened, the `kind` label of `weir_rebalances_total`.
public enum RebalanceKind: String, CaseIterable, Sendable {
    /// Partitions were assigned to this member.
    case assigned
    /// Partitions were revoked from this member.
    case revoked
}
