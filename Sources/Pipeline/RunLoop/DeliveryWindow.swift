/// The timing of the DLQ fence between the owners of a partition (docs/POSTGRES.md, "Several hosts"), without I/O.
///
/// Before each send of DLQ records an instance takes a permit from the store that lasts `permit` by the store's
/// clock, and sends only if it starts within `margin` of asking, measured on its own monotonic clock (the asking
/// happened before the store's clock started the permit). The producer delivers or fails each record within
/// `messageTimeout` of the send, so every record it sends is in the DLQ or never will be (but for the residual
/// risk docs/POSTGRES.md names) `slack` before the permit ends. A new owner of the partition waits for the end of
/// every permit its claim found (`scanWait`) before it scans the DLQ for records already delivered.
struct DeliveryWindow: Sendable, Equatable {
    /// How late after asking for a permit a send may still start; 5 s by default (a permit is one statement, so
    /// only a host or a store stalled for seconds misses it, and then asks again).
    let margin: Duration
    /// The DLQ producer's `message.timeout.ms`.
    let messageTimeout: Duration
    /// Room for the store's and this host's clocks running at slightly different rates, and for the producer
    /// noticing its timeout late; 5 s by default.
    let slack: Duration

    static let defaultMargin = Duration.seconds(5)
    static let defaultSlack = Duration.seconds(5)

    init(messageTimeout: Duration, margin: Duration = Self.defaultMargin, slack: Duration = Self.defaultSlack) {
        self.margin = margin
        self.messageTimeout = messageTimeout
        self.slack = slack
    }

    /// How long a permit lasts by the store's clock: `margin + messageTimeout + slack`.
    var permit: Duration { margin + messageTimeout + slack }

    /// Whether a send may start at `now` under a permit asked for at `askedAt` (both on the monotonic clock).
    func mayStart(askedAt: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Bool {
        now - askedAt <= margin
    }

    /// What a new owner waits for before its DLQ scan: the longest open permit its claim found, with the owners
    /// and partitions of every open permit; nil when there is none.
    static func scanWait(_ claim: PartitionClaim) -> ScanWait? {
        guard let longest = claim.openPermits.values.map(\.remaining).max(), longest > .zero else { return nil }
        return ScanWait(duration: longest, owners: Set(claim.openPermits.values.map(\.owner)).sorted(),
                        partitions: claim.openPermits.keys.sorted())
    }

    /// The wait before a DLQ scan, and whose permits it waits for.
    struct ScanWait: Sendable, Equatable {
        let duration: Duration
        let owners: [String]
        let partitions: [SourcePartition]
    }
}
