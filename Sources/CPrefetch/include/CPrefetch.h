// A software prefetch for Swift, which has no intrinsic for it: the dedup key store's filter probes ask for the
// cache lines they will test some keys ahead, so that several memory reads are in flight at once.
#ifndef WEIR_CPREFETCH_H
#define WEIR_CPREFETCH_H

/// Asks the CPU to bring the cache line holding `address` towards L1 for a read, without waiting for it.
/// A hint only: no fault if the address is bad, no effect on results.
static inline void weir_prefetch_for_read(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
