import Foundation
import Logging

/// Runs `KeyRunStore.mergeOnce` off the commit path, on its own thread and its own SQLite connection: a commit
/// calls `schedule()`, which returns at once; merges run until the planner has nothing left. Orphaned run files
/// are removed at the first pass and then hourly.
final class KeyRunMergeWorker: @unchecked Sendable {
    private let store: KeyRunStore
    private let databasePath: String
    private let logger: Logger
    private let queue = DispatchQueue(label: "weir.dedup.merge", qos: .utility)
    private let lock = NSLock()
    private var running = false
    private var again = false
    private var db: SQLiteDatabase?
    private var lastOrphanSweep: Int64?
    private var bytesWritten: Int64 = 0
    /// Bytes of run files written by merges since start (the benchmark's write accounting).
    var mergedBytes: Int64 { lock.withLock { bytesWritten } }

    init(store: KeyRunStore, databasePath: String, logger: Logger = Logger(label: "weir.checkpoint")) {
        self.store = store
        self.databasePath = databasePath
        self.logger = logger
    }

    func schedule() {
        let start = lock.withLock {
            if running { again = true; return false }
            running = true
            return true
        }
        guard start else { return }
        queue.async { self.drain() }
    }

    /// Waits for the merges scheduled so far (tests, benchmarks, shutdown).
    func wait() { queue.sync {} }

    private func drain() {
        repeat {
            lock.withLock { again = false }
            pass()
        } while lock.withLock({ () -> Bool in
            if again { return true }
            running = false
            return false
        })
    }

    private func pass() {
        do {
            if db == nil { db = try SQLiteDatabase(path: databasePath, cacheKiB: 2_048) }
            guard let db else { return }
            if lastOrphanSweep.map({ store.clock() - $0 >= 3_600 }) ?? true {
                lastOrphanSweep = store.clock()
                let n = try store.removeOrphans(db)
                if n > 0 { logger.info("removed orphaned dedup key runs", metadata: ["files": "\(n)"]) }
            }
            while true {
                let n = try store.mergeOnce(db)
                if n == 0 { break }
                lock.withLock { bytesWritten += n }
            }
        } catch {
            logger.warning("merging dedup key runs failed; will retry after the next commit", metadata: ["error": "\(error)"])
        }
    }
}
