import Dispatch

/// A task executor that runs its jobs on one serial dispatch queue (its own thread), outside Swift's cooperative
/// pool.
///
/// On Linux the cooperative pool is libdispatch's default-QoS root queue with one thread per core, and
/// `DispatchQueue.concurrentPerform` (the parallel evaluation of a batch) runs on those same threads. A task that
/// must start while the run loop evaluates a batch therefore waited for a pool thread: the next poll started
/// ~1.6 ms late on average, more than half of a 500-record batch's processing time. Tasks that prefer this
/// executor (`Task(executorPreference:)`) start at once.
final class DispatchTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
