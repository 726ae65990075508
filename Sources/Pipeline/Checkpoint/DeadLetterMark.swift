/// The low-water mark from which a dead-letter partition must be scanned on recovery: any DLQ record at or past
/// it may belong to a batch that was delivered but never committed.
public struct DeadLetterMark: Sendable, Equatable, Hashable {
    public let dlqTopic: String
    public let dlqPartition: Int32
    public let scanFrom: Int64

    public init(dlqTopic: String, dlqPartition: Int32, scanFrom: Int64) {
        self.dlqTopic = dlqTopic
        self.dlqPartition = dlqPartition
        self.scanFrom = scanFrom
    }
}
