/// Keeps one poll in flight while the run loop processes the previous batch, so fetching and copying records
/// overlaps with decoding, validating and committing.
///
/// Anything that moves the fetch position (a seek after dropped work) first `discard()`s the poll in flight: its
/// records predate the seek. A rebalance during that poll is not lost; the next poll reports the new generation.
final class PollPrefetcher: @unchecked Sendable {
    private let source: RecordSource
    /// Runs the poll tasks off the cooperative pool, so a prefetch starts while the loop is busy.
    private let executor = DispatchTaskExecutor(label: "weir.prefetch")
    private let maxRecords: Int
    private let timeout: Duration
    private var inFlight: Task<SourcePoll, Error>?

    init(source: RecordSource, maxRecords: Int, timeout: Duration) {
        self.source = source
        self.maxRecords = maxRecords
        self.timeout = timeout
    }

    /// The poll in flight, or a new one.
    func next() async throws -> SourcePoll {
        let task = inFlight ?? start()
        inFlight = nil
        return try await task.value
    }

    /// Starts the next poll now, unless one is in flight.
    func prefetch() {
        if inFlight == nil { inFlight = start() }
    }

    /// Waits for the poll in flight, if any, and drops its records. Returns them: the consumer has moved past
    /// them, so the caller must rewind their partitions.
    @discardableResult
    func discard() async -> [SourceRecord] {
        guard let task = inFlight else { return [] }
        inFlight = nil
        return (try? await task.value)?.records ?? []
    }

    private func start() -> Task<SourcePoll, Error> {
        let source = self.source, maxRecords = self.maxRecords, timeout = self.timeout
        return Task(executorPreference: executor) { try await source.poll(maxRecords: maxRecords, timeout: timeout) }
    }
}
