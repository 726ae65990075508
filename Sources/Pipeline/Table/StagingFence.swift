import Foundation

/// Fences writers whose staging claim can expire (`Storage.leaseExpiry`, object storage), through the store.
///
/// Each such writer carries, in every commit transaction, a compare-and-set of its own table pointer
/// `_weir.staging.<instance>` (`live` → `live`; none → `live` for its first commit). Recovery that takes over an
/// expired claim first moves that pointer to `fenced`, in a transaction of its own; from then on no commit of the
/// writer it replaced can succeed, so the writer's committed files are exactly those the store lists, and its
/// other staged objects can be deleted even if it still runs (a stalled process, a zombie). The fenced writer's
/// next commit fails with `StagingLeaseLost` and the process exits; its work is read again by the partitions'
/// next owners.
enum StagingFence {
    static let live = "live"
    static let fenced = "fenced"

    /// The store's pointer name for `instance`.
    static func pointer(_ instance: String) -> String { "_weir.staging." + instance }

    /// The compare-and-set a commit of `instance` carries; `expected` is what its last commit left (nil before).
    static func update(_ instance: String, expected: String?) -> TablePointerUpdate {
        TablePointerUpdate(table: pointer(instance), expected: expected, new: live)
    }

    /// Fences `victim`, idempotently: after it returns, no commit of `victim` succeeds.
    /// - Throws: `StoreError` when the store fails, or when the pointer keeps moving (a live writer committing
    ///   in a loop would mean the claim was not expired).
    static func fence(_ victim: String, by owner: String, store: CheckpointStore) throws {
        for _ in 0..<20 {
            let current = try store.tablePointer(pointer(victim))
            if current == fenced { return }
            var commit = CheckpointCommit()
            commit.owner = owner
            commit.committedAt = Int64(Date().timeIntervalSince1970)
            commit.tablePointers = [TablePointerUpdate(table: pointer(victim), expected: current, new: fenced)]
            do {
                _ = try store.commit(commit)
                return
            } catch is TablePointerConflict {
                continue
            }
        }
        throw StoreError(message: "cannot fence writer \(victim): its commits kept moving its pointer", isRetriable: true)
    }
}

/// This writer's staging claim was taken over by another instance's recovery (it stalled longer than the claim's
/// lease), and the store refused its commit: the process must stop; its uncommitted work is read again.
public struct StagingLeaseLost: Error, CustomStringConvertible {
    public let instance: String
    public let prefix: String

    public var description: String {
        "the staging lease \(prefix) of this instance (\(instance)) was taken over by another instance's recovery "
            + "after this process stalled longer than the lease (lake.s3.lease_ttl); its commit was refused and nothing "
            + "of it landed. Restart weir: the partitions' owners read the work again"
    }
}
