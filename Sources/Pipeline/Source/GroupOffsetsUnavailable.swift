/// The consumer group's committed offsets could not be read (no answer from the group coordinator in time, or an
/// error from it): the group, the brokers asked and the cause, as `RecordSource.groupCommitted` throws it.
public struct GroupOffsetsUnavailable: Error, Sendable, CustomStringConvertible {
    /// The consumer group (`kafka.group_id`).
    public let group: String
    /// The bootstrap servers the source was given.
    public let brokers: String
    /// What the client reported.
    public let cause: String

    /// - Parameters: the group id, the bootstrap servers asked, and the client's error text.
    public init(group: String, brokers: String, cause: String) {
        self.group = group
        self.brokers = brokers
        self.cause = cause
    }

    /// One line naming the group, the brokers and the cause.
    public var description: String {
        "the committed offsets of consumer group \(group) could not be read from \(brokers): \(cause)"
    }
}
