/// What happened to the records of one or more micro-batches.
public struct BatchCounts: Sendable, Equatable {
    /// Records seen (every outcome).
    public var total = 0
    /// Landed in a lake buffer.
    public var valid = 0
    /// Dropped as duplicates.
    public var duplicates = 0
    /// Routed to the DLQ, by reason.
    public var deadLettered: [RejectionReason: Int] = [:]
    /// Schema errors by Cerberus rule (bounded: rule names only).
    public var validationErrors: [String: Int] = [:]

    public init() {}

    public var invalid: Int { deadLettered.values.reduce(0, +) }

    public mutating func add(_ other: BatchCounts) {
        total += other.total
        valid += other.valid
        duplicates += other.duplicates
        for (k, v) in other.deadLettered { deadLettered[k, default: 0] += v }
        for (k, v) in other.validationErrors { validationErrors[k, default: 0] += v }
    }

    /// The increments recorded in the store's running totals.
    public var totals: [String: Int64] {
        var out: [String: Int64] = ["total": Int64(total), "valid": Int64(valid), "invalid": Int64(invalid),
                                    "duplicates": Int64(duplicates)]
        for (reason, n) in deadLettered { out["dlq_" + reason.rawValue] = Int64(n) }
        return out
    }
}
