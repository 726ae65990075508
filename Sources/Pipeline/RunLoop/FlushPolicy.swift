/// When buffered work is flushed and committed: enough rows, enough bytes, or the oldest buffered record is
/// old enough. An idle pipeline still flushes once `interval` has passed.
public struct FlushPolicy: Sendable {
    public let maxRows: Int
    public let maxBytes: Int
    public let interval: Duration

    public init(maxRows: Int, maxBytes: Int, interval: Duration) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
        self.interval = interval
    }

    /// Why a flush is due, or nil. `age` is the time since the oldest uncommitted record was processed.
    public func trigger(rows: Int, bytes: Int, age: Duration?) -> String? {
        if rows >= maxRows { return "rows" }
        if bytes >= maxBytes { return "bytes" }
        if let age, age >= interval { return "interval" }
        return nil
    }
}
