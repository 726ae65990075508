// The allocator `weir` runs on: jemalloc, linked into the executable with the settings of allocator.c (`malloc_conf`).
#ifndef WEIR_ALLOCATOR_H
#define WEIR_ALLOCATOR_H

/// jemalloc's version string ("5.3.0-0-g…"), or NULL when jemalloc cannot answer. (It answers even when another
/// malloc was put in front of it with `LD_PRELOAD`: `mallctl` still resolves to the linked jemalloc.)
const char *weir_allocator_version(void);

/// jemalloc's `opt.dirty_decay_ms` in effect (milliseconds), or -2 when it cannot be read: shows whether
/// allocator.c's settings reached jemalloc.
long weir_allocator_dirty_decay_ms(void);

#endif
