/// Asked by a DLQ sink right before each send of records out of the process (the DLQ topic's producer), never for
/// records it only stages with the commit (the file DLQ). The commit's permit (`DeliveryFence` in `weir run`)
/// makes sure that this instance still owns the records' partitions and that the send starts in time for the
/// permit's window; when it throws, nothing of that send is produced.
public struct DeliveryPermit: Sendable {
    private let ask: @Sendable () async throws -> Void

    /// - Parameter ask: throws when the records may not be sent (`PartitionOwnedElsewhere`, `DeliveryPermitLate`).
    public init(_ ask: @escaping @Sendable () async throws -> Void) {
        self.ask = ask
    }

    /// Asks for the permit; returns when the send may start.
    public func request() async throws { try await ask() }

    /// Always granted: a single instance, or a test, without partition ownership.
    public static let unfenced = DeliveryPermit {}
}
