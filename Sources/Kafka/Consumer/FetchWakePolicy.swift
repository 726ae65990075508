/// When to wake librdkafka's fetchers: the pure decision behind `FetchWaker`.
///
/// librdkafka's high-level consumer stops fetching a partition while the consumer queue holds at least
/// `queued.min.messages` messages (the threshold is compared with the whole consumer queue, because every
/// partition's fetch queue forwards to it). A broker thread whose partitions all stopped fetching sleeps until an
/// operation, socket event or its 1-second idle timeout wakes it, and only then looks at the queue again. An
/// application that drains 100,000 messages in well under a second therefore waits for the rest of that second
/// with an empty queue. later librdkafka versions added `fetch.queue.backoff.ms` for this; older ones (Debian 12
/// ships 2.0.2) have no setting, so `FetchWaker` sends the broker threads a cheap request instead.
public struct FetchWakePolicy: Sendable, Equatable {
    /// The consumer queue length at which librdkafka stops fetching (`queued.min.messages`, default 100,000).
    public let queuedMinMessages: Int

    public init(queuedMinMessages: Int) {
        self.queuedMinMessages = queuedMinMessages
    }

    /// Whether a wake-up can start a fetch that is not already running.
    ///
    /// - Parameters:
    ///   - queueLength: messages now in the consumer queue (`rd_kafka_queue_length`).
    ///   - delivered: messages the application took from the queue since the last decision. An idle or stopped
    ///     application gains nothing from a fetch, so an idle consumer sends no requests at all.
    /// - Returns: true when the application is draining the queue and the queue is below the threshold, which is
    ///   when a sleeping fetcher would fetch if it looked.
    public func shouldWake(queueLength: Int, delivered: Int) -> Bool {
        delivered > 0 && queueLength < queuedMinMessages
    }

    /// The policy of a consumer with these librdkafka properties (`queued.min.messages`, default 100,000).
    public init(properties: [String: String]) {
        let configured = properties["queued.min.messages"].flatMap { Int($0) }
        self.init(queuedMinMessages: configured ?? 100_000)
    }
}
