/// What claiming partitions found (`CheckpointStore.claimPartitions`): the DLQ delivery permits of their previous
/// owners that had not ended yet, by the store's clock.
///
/// A permit (`CheckpointStore.permitDeliveries`) covers the time in which an instance may still have DLQ records in
/// flight to the DLQ topic. The new owner scans the DLQ for records already delivered only once every permit it
/// found here has ended, so a record the previous owner (a zombie) sent is either in the DLQ by then or was never
/// delivered.
public struct PartitionClaim: Sendable, Equatable {
    /// A previous owner's permit that had not ended when the claim was made.
    public struct OpenPermit: Sendable, Equatable {
        /// The owner token of the instance holding the permit.
        public let owner: String
        /// How long after the claim, by the store's clock, the permit ends (positive).
        public let remaining: Duration
        /// The process that took the permit, when it could tell: a process of the same machine can see that it
        /// has ended, and then has no reason to wait for the permit.
        public let process: ProcessIdentity?

        public init(owner: String, remaining: Duration, process: ProcessIdentity? = nil) {
            self.owner = owner
            self.remaining = remaining
            self.process = process
        }
    }

    /// Per claimed partition whose previous owner (another instance) still held an open permit.
    public let openPermits: [SourcePartition: OpenPermit]

    public init(openPermits: [SourcePartition: OpenPermit] = [:]) {
        self.openPermits = openPermits
    }
}
