/// What identifies an event for deduplication.
public enum DedupKeySpec: Sendable, Equatable {
    /// One or more fields (dotted for nested); their JSON values joined form the key.
    case fields([String])
    /// A hash of the whole event as canonical JSON (sorted keys), for data without an id.
    case contentHash
    /// No deduplication.
    case none
}
