import CRdKafka
import Foundation

/// Keeps librdkafka's fetchers awake while the application drains the consumer queue (see `FetchWakePolicy`
/// for the stall this avoids).
///
/// Every `interval` a dedicated thread reads the consumer queue length and the number of messages delivered
/// since its last look; when the policy says so, it asks for the latest offsets of all assigned partitions with
/// `rd_kafka_offsets_for_times` (timestamp -1, one ListOffsets request per leader broker). The request itself is
/// not needed: enqueuing it wakes each leader's broker thread, which then re-checks the queue thresholds and
/// fetches. With the default 20 ms that is at most 50 small requests per second per broker, and none while the
/// consumer is idle.
///
/// Lifecycle: `start()` once; `stop()` is idempotent, wakes the thread and returns without waiting for it. The
/// thread keeps the client alive until its last request (up to 1 s) returns; `waitUntilStopped()` waits for that,
/// so a closed consumer's handle can be destroyed before its brokers go away.
final class FetchWaker: @unchecked Sendable {
    private let client: RDKafkaClient
    private let policy: FetchWakePolicy
    private let interval: Duration
    private let stopSignal = DispatchSemaphore(value: 0)
    /// Signalled once when the thread has returned (and passed on by every waiter).
    private let finished = DispatchSemaphore(value: 0)
    private let state = Locked(State())

    private struct State {
        var delivered = 0
        var stopped = false
        var wakes = 0
        var returned = false
    }

    /// - Parameters:
    ///   - interval: time between looks at the queue; a fetch resumes at most this long after the queue drops below
    ///     `policy.queuedMinMessages` (librdkafka's own idle timeout is 1 s).
    init(client: RDKafkaClient, policy: FetchWakePolicy, interval: Duration) {
        self.client = client
        self.policy = policy
        self.interval = interval
    }

    /// Whether the thread has returned (for tests).
    var hasReturned: Bool { state.withLock { $0.returned } }

    /// Wake-up requests sent so far (for tests and debugging).
    var wakes: Int { state.withLock { $0.wakes } }

    /// Tells the waker that the application took `count` messages from the queue.
    func delivered(_ count: Int) {
        guard count > 0 else { return }
        state.withLock { $0.delivered += count }
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "weir.kafka.fetch-waker"
        thread.start()
    }

    func stop() {
        let first = state.withLock { s -> Bool in defer { s.stopped = true }; return !s.stopped }
        if first { stopSignal.signal() }
    }

    /// Blocks until the thread has returned, after `stop()`: its last request is answered or timed out (1 s).
    func waitUntilStopped() {
        finished.wait()
        finished.signal()
    }

    private func run() {
        defer {
            state.withLock { $0.returned = true }
            finished.signal()
        }
        guard let queue = rd_kafka_queue_get_consumer(client.handle) else { return }
        defer { rd_kafka_queue_destroy(queue) }
        let milliseconds = max(1, Int(interval.kafkaMilliseconds))
        // `stop()` signals the semaphore: the wait ends early and the loop returns.
        while stopSignal.wait(timeout: .now() + .milliseconds(milliseconds)) == .timedOut {
            let delivered = state.withLock { s -> Int in defer { s.delivered = 0 }; return s.delivered }
            guard policy.shouldWake(queueLength: Int(rd_kafka_queue_length(queue)), delivered: delivered) else { continue }
            if wakeBrokers() { state.withLock { $0.wakes += 1 } }
        }
    }

    /// Asks every assigned partition's leader for its latest offset. Returns false when nothing is assigned.
    private func wakeBrokers() -> Bool {
        var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(client.handle, &raw) == RD_KAFKA_RESP_ERR_NO_ERROR, let list = raw else { return false }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard list.pointee.cnt > 0 else { return false }
        for i in 0..<Int(list.pointee.cnt) { list.pointee.elems[i].offset = -1 }  // -1: the latest offset
        // Errors (a revoked partition, a timeout during a rebalance) do not matter: the request was sent.
        _ = rd_kafka_offsets_for_times(client.handle, list, 1000)
        return true
    }
}
