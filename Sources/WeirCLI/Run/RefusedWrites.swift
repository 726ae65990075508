import Logging

/// Counts the lake writes the object store refused (`weir_lake_refused_writes_total`) and logs each.
final class RefusedWrites: Sendable {
    private let tally = EventTally()
    private let logger = Logger(label: "weir.lake")

    /// Refusals so far.
    var total: Int { tally.total }

    func record(_ uri: String) {
        logger.warning("the object store refused a create-only write: the name is taken (a publish finished by another instance's recovery, or retried)",
                       metadata: ["object": "\(uri)"])
        tally.increment()
    }

    /// Forwards every refusal (and those so far) to `sink`.
    func forward(to sink: @escaping @Sendable (Int) -> Void) { tally.forward(to: sink) }
}
