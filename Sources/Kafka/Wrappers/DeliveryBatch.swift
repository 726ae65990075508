import CRdKafka

/// Tracks the delivery reports of one batch of produced messages with a single continuation.
///
/// Each message's librdkafka opaque is the address of its slot in `slots`; every slot holds the address of
/// this object, so the delivery-report callback finds both the batch and the message index (slot − base)
/// without any per-message allocation.
///
/// Ownership: the batch is retained once (`Unmanaged.passRetained`) when enqueueing starts and released
/// when the last report (or enqueue failure) is counted, right after resuming the continuation.
final class DeliveryBatch: @unchecked Sendable {
    struct Outcome: Sendable {
        let results: [DeliveryResult]
        /// Each message's delivery error, in input order (nil = delivered).
        let errors: [KafkaError?]
        let failed: Int
        let firstError: KafkaError?
    }

    let count: Int
    let slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let state: Locked<State>

    struct State {
        var results: [DeliveryResult]
        var errors: [KafkaError?]
        var firstError: KafkaError?
        var failed = 0
        var remaining: Int
        var continuation: CheckedContinuation<Outcome, Never>?
    }

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(1, count))
        state = Locked(State(results: Array(repeating: DeliveryResult(partition: -1, offset: -1), count: count),
                             errors: Array(repeating: nil, count: count), firstError: nil, remaining: count, continuation: nil))
    }

    deinit { slots.deallocate() }

    /// Sets the continuation and retains self until the last message is accounted for. Returns the
    /// opaque pointer stored in every slot.
    func start(_ continuation: CheckedContinuation<Outcome, Never>) {
        let me = Unmanaged.passRetained(self).toOpaque()
        slots.initialize(repeating: me, count: max(1, count))
        state.withLock { $0.continuation = continuation }
        if count == 0 { finish(index: nil, partition: -1, offset: -1, error: nil) }
    }

    /// The per-message opaque of message `index`.
    func opaque(for index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(slots + index) }

    /// Accounts for one message (from the delivery callback or an enqueue failure).
    func finish(index: Int?, partition: Int32, offset: Int64, error: KafkaError?) {
        let done: (CheckedContinuation<Outcome, Never>, Outcome)? = state.withLock { s in
            if let index { s.results[index] = DeliveryResult(partition: partition, offset: offset) }
            if let error {
                if let index { s.errors[index] = error }
                s.failed += 1
                if s.firstError == nil { s.firstError = error }
            }
            if index != nil { s.remaining -= 1 }
            guard s.remaining == 0, let c = s.continuation else { return nil }
            s.continuation = nil
            return (c, Outcome(results: s.results, errors: s.errors, failed: s.failed, firstError: s.firstError))
        }
        if let (c, outcome) = done {
            c.resume(returning: outcome)
            Unmanaged<DeliveryBatch>.fromOpaque(UnsafeRawPointer(slots.pointee!)).release()
        }
    }

    /// Installs the C delivery-report trampoline on `conf` (before `rd_kafka_new`).
    static func installCallback(on conf: OpaquePointer) {
        rd_kafka_conf_set_dr_msg_cb(conf) { _, msg, _ in
            guard let msg, let raw = msg.pointee._private else { return }
            let slot = raw.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            let batch = Unmanaged<DeliveryBatch>.fromOpaque(slot.pointee!).takeUnretainedValue()
            let index = slot - batch.slots
            let m = msg.pointee
            let error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(m.err, "delivery to partition \(m.partition)")
            batch.finish(index: index, partition: m.partition, offset: m.offset, error: error)
        }
    }
}

/// Where a message was stored.
struct DeliveryResult: Sendable {
    let partition: Int32
    let offset: Int64
}
