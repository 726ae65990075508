import WeirAllocator

/// The allocator `weir` runs on: jemalloc, linked in with the settings of Sources/WeirAllocator/allocator.c
/// (`MALLOC_CONF` in the environment overrides each option it names; jemalloc(3), "TUNING").
enum AllocatorInfo {
    /// "jemalloc 5.3.0" (just "jemalloc" if its version cannot be read).
    static var description: String {
        guard let version = weir_allocator_version() else { return "jemalloc" }
        return "jemalloc " + (String(cString: version).split(separator: "-").first.map(String.init) ?? "")
    }

    /// `opt.dirty_decay_ms` as jemalloc applied it (milliseconds); nil when it cannot be read.
    static var dirtyDecayMilliseconds: Int? {
        let value = weir_allocator_dirty_decay_ms()
        return value == -2 ? nil : value
    }
}
