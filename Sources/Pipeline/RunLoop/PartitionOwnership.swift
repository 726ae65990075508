import Logging

/// This instance's side of partition ownership in the store, at assignment and at a clean exit (the permits
/// themselves are `DeliveryFence`'s).
///
/// At each assignment, before the DLQ scan, the instance claims every assigned partition. If a previous owner
/// still holds a delivery permit (a zombie cut off from the group may be sending DLQ records of the partition right
/// now), the instance waits until that permit has ended by the store's clock: the records it sent are then in the
/// DLQ, where the scan finds them, or were never delivered. From the claim on, the previous owner's permits are
/// refused, so it sends nothing more. A permit whose process this machine can see has ended (`ProcessIdentity`: a
/// restart after a crash on the same host) is not waited for: that process sends nothing more either.
struct PartitionOwnership: Sendable {
    let store: CheckpointStore
    /// This instance's owner token (its writer instance id, unique per process).
    let owner: String
    let logger: Logger
    /// How a wait is waited (tests pass one that records it).
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    /// Claims `partitions` and waits for the previous owners' open permits. Returns what it waited for.
    /// - Throws: `StoreError`; `CancellationError` when the run is cancelled while waiting.
    @discardableResult
    func claim(_ partitions: [SourcePartition]) async throws -> DeliveryWindow.ScanWait? {
        guard !partitions.isEmpty else { return nil }
        let claim = try store.claimPartitions(partitions, owner: owner)
        // A holder whose process has ended (this machine can tell) sends nothing more: no need to wait for it.
        let ended = claim.openPermits.filter { $0.value.process?.hasEnded() == true }
        if !ended.isEmpty {
            logger.info("not waiting for the DLQ delivery permits of the previous owner: its process has ended", metadata: [
                "partitions": "\(ended.keys.sorted().map(\.description))",
                "previous_owners": "\(Set(ended.values.map(\.owner)).sorted())"])
        }
        let live = PartitionClaim(openPermits: claim.openPermits.filter { ended[$0.key] == nil })
        guard let wait = DeliveryWindow.scanWait(live) else { return nil }
        logger.info("""
            waiting before the DLQ scan: the previous owner of these partitions may still be delivering DLQ records \
            (its delivery permit has not ended); scanning earlier could miss them and send them again
            """, metadata: ["partitions": "\(wait.partitions.map(\.description))", "previous_owners": "\(wait.owners)",
                            "wait_ms": "\(wait.duration.wholeMilliseconds)"])
        try await sleep(wait.duration)
        return wait
    }

    /// Ends this instance's permits at a clean exit (its producer is flushed and closed), so that the next owner
    /// of its partitions does not wait for them; best effort.
    func release() {
        do {
            try store.endDeliveries(nil, owner: owner)
        } catch {
            logger.warning("could not end this instance's DLQ delivery permits; the next owner waits for them to expire",
                           metadata: ["error": "\(error)"])
        }
    }
}
