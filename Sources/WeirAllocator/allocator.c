// Weir's malloc: jemalloc instead of glibc's ptmalloc (issue 21; measurements in docs/BENCHMARKS.md, "Per-event CPU").
//
// Records are decoded on the evaluation threads and freed by the run loop and the commit; glibc serves such frees
// from the arena that made the block, under that arena's lock, and consolidates its bins as it goes (malloc, free
// and their chunk handling were ~14% of `weir run`'s CPU). jemalloc's per-thread caches and size classes take
// the cross-thread frees without that work.
//
// Settings (jemalloc(3), "TUNING" and the options below), read by jemalloc from this symbol at its first call:
//   percpu_arena:percpu   one arena per CPU: threads on one core share its arena, so the memory a thread frees
//                         is reused by whatever runs on that core next (the default, 4 arenas per CPU, kept
//                         ~100 MB more resident in a 1M-event run);
//   dirty_decay_ms:1000   freed pages go back to the system once unused for ~1 s instead of 10 s, so a commit's
//                         multi-MiB buffers do not pile up between commits (purged as the process allocates: no
//                         background thread, so an idle process returns its last ones over several seconds);
//   muzzy_decay_ms:0      and are released at once rather than kept lazily.
#include <jemalloc/jemalloc.h>
#include <stddef.h>
#include <sys/types.h>
#include "WeirAllocator.h"

const char *malloc_conf = "percpu_arena:percpu,dirty_decay_ms:1000,muzzy_decay_ms:0";

const char *weir_allocator_version(void) {
    const char *version = NULL;
    size_t size = sizeof(version);
    if (mallctl("version", &version, &size, NULL, 0) != 0) return NULL;
    return version;
}

long weir_allocator_dirty_decay_ms(void) {
    ssize_t value = 0;
    size_t size = sizeof(value);
    if (mallctl("opt.dirty_decay_ms", &value, &size, NULL, 0) != 0) return -2;
    return (long)value;
}
