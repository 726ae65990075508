import Foundation

/// A running count of lake events that happen deep in the storage layer (refused writes, retried requests), with
/// one sink (the Prometheus counter) connected once the metrics exist: the sink also gets the count so far.
final class EventTally: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var sink: (@Sendable (Int) -> Void)?

    /// Events so far.
    var total: Int { lock.withLock { count } }

    /// Counts `n` events (default one) and passes them to the sink, if connected.
    func increment(by n: Int = 1) {
        guard n > 0 else { return }
        let sink = lock.withLock { () -> (@Sendable (Int) -> Void)? in
            count += n
            return self.sink
        }
        sink?(n)
    }

    /// Forwards every event (and those so far) to `sink`.
    func forward(to sink: @escaping @Sendable (Int) -> Void) {
        let earlier = lock.withLock { () -> Int in
            self.sink = sink
            return count
        }
        if earlier > 0 { sink(earlier) }
    }
}
