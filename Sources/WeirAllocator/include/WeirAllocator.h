// The allocator `weir` runs on: jemalloc, linked into the executable with the settings below.
#ifndef WEIR_ALLOCATOR_H
#define WEIR_ALLOCATOR_H

#include <sys/types.h>

/// jemalloc's version string ("5.3.0-0-g…"), or NULL when jemalloc cannot answer. (It answers even when another
/// malloc was put in front of it with `LD_PRELOAD`: `mallctl` still resolves to the linked jemalloc.)
const char *weir_allocator_version(void);

/// The settings compiled into `weir` (jemalloc's `malloc_conf`); `MALLOC_CONF` in the environment overrides each
/// option it names.
const char *weir_allocator_settings(void);

/// jemalloc's `opt.dirty_decay_ms` in effect (milliseconds), or -2 when it cannot be read: shows whether the
/// settings above reached jemalloc.
long weir_allocator_dirty_decay_ms(void);

#endif
