import CMalloc
import Foundation

/// glibc malloc settings for Weir's long-running processes.
///
/// glibc gives threads that allocate concurrently arenas of their own (up to 8 per core) and keeps freed memory
/// in the arena that served it. librdkafka's broker threads, the evaluation workers and the commit task each fill
/// their own, and `weir run`'s peak RSS was about twice its live heap (measured: 300–330 MB reserved for
/// 130–150 MB in use, 1M events on 100 partitions; 5M events: 357 → 300 MB peak RSS). One arena per core (at
/// least two) lets freed memory be reused across threads.
///
/// Blocks of `mmapThreshold` bytes or more get their own mapping, returned to the system when freed. glibc's
/// default threshold is dynamic: each freed mapped block raises it to that block's size (up to 32 MiB), so once
/// the dedup store's 16 MiB lookup tables or a commit's multi-MiB buffers have been freed, every later buffer
/// below that size comes from the arenas, which keep it after it is freed. A 5M-event run then held 150–180 MB of
/// arenas for 45–90 MB in use (docs/BENCHMARKS.md, "Scale"). A fixed threshold keeps large buffers mapped.
///
/// An explicit `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_` in the environment wins over the setting it names.
enum MallocTuning {
    /// Bytes from which an allocation is a mapping of its own (fixed; glibc's initial value is 128 KiB).
    static let mmapThreshold: Int32 = 1 << 20

    /// Applies the settings; call before any thread is started.
    /// - Parameter setOption: glibc's `mallopt` (tests pass one that records the calls).
    static func apply(environment: [String: String] = ProcessInfo.processInfo.environment,
                      setOption: (Int32, Int32) -> Int32 = { mallopt($0, $1) }) {
        if environment["MALLOC_ARENA_MAX"] == nil {
            _ = setOption(M_ARENA_MAX, Int32(max(2, ProcessInfo.processInfo.activeProcessorCount)))
        }
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil {
            _ = setOption(M_MMAP_THRESHOLD, mmapThreshold)
        }
    }
}
